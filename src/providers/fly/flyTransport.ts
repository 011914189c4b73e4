import Client from 'fly-admin/dist/client';
import { FlyError, flyErrorFromGraphql, flyErrorFromNetworkFailure, flyErrorFromResponse, type GraphqlError } from './flyErrors';
import type { Logger } from '../../core/logger';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface FlyEndpoints {
  apiUrl: string;
  graphqlUrl: string;
}

export interface FlyTransportOptions extends FlyEndpoints {
  token: string;
  fetch: typeof fetch;
  logger: Logger;
  /** Aborts the request: the caller's cancellation and the per-request timeout. */
  signal: AbortSignal;
  /** Whether an abort came from the caller (rather than the timeout). */
  cancelled: () => boolean;
}

/**
 * fly-admin's Client with its two transport methods replaced. fly-admin still builds every path, query and body, but
 * its own transport turns a failure into `Error("<status>: <body>")`, losing the Retry-After header, and cannot be
 * aborted. Here each answer becomes a classified FlyError right where it is read, and each request carries a signal.
 * One instance serves one call (it holds that call's signal); constructing it is cheap.
 */
export class FlyAdminTransport extends Client {
  constructor(private readonly options: FlyTransportOptions) {
    super(options.token, { apiUrl: options.apiUrl, graphqlUrl: options.graphqlUrl });
  }

  override async restOrThrow<U, V>(path: string, method: HttpMethod = 'GET', body?: U): Promise<V> {
    return (await this.restWithHeaders<U, V>(path, method, body)).body;
  }

  /** A REST answer with its headers: list pages name the next page's cursor in `fly-next-cursor`. */
  async restWithHeaders<U, V>(path: string, method: HttpMethod = 'GET', body?: U): Promise<{ body: V; headers: Headers }> {
    const { text, headers } = await this.send(`${this.getApiUrl()}/v1/${path}`, method, body);
    return { body: (text ? parseJson(text, path) : undefined) as V, headers };
  }

  override async gqlPostOrThrow<U, V>(payload: { query: string; variables?: Record<string, U> }): Promise<V> {
    const { text } = await this.send(`${this.getGraphqlUrl()}/graphql`, 'POST', payload);
    const { data, errors } = parseJson(text, 'graphql') as { data: V; errors?: GraphqlError[] };
    if (errors) throw flyErrorFromGraphql(errors);
    return data;
  }

  private async send(url: string, method: HttpMethod, body: unknown): Promise<{ text: string; headers: Headers }> {
    const { fetch, token, signal, logger, cancelled } = this.options;
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      throw flyErrorFromNetworkFailure(error, cancelled());
    }
    logger.debug(`Fly API ${method} ${new URL(url).pathname} → ${response.status} (${Math.round(performance.now() - started)} ms)`);
    if (!response.ok) throw flyErrorFromResponse(response.status, text, response.headers.get('retry-after'));
    return { text, headers: response.headers };
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FlyError({ category: 'unexpected', code: 'invalid_json', message: `Fly answered ${what} with something other than JSON: ${text.slice(0, 200)}`, cause: error });
  }
}
