import { GraphqlFailure } from './apiFailure';
import type { FlyWorld } from './flyWorld';
import { failureReply, type ApiCall, type Reply } from './restApi';

type Variables = Record<string, unknown> & { input?: Record<string, unknown> };

interface Operation {
  operation: string;
  /** Recognises fly-admin's query text by its root field. */
  pattern: RegExp;
  scope(variables: Variables): unknown;
  run(world: FlyWorld, variables: Variables): unknown;
}

/** The GraphQL operations fly-admin 1.6.1 sends (fly-graphql-schema.graphql). */
const OPERATIONS: readonly Operation[] = [
  { operation: 'ips.allocate', pattern: /\ballocateIpAddress\s*\(/, scope: (v) => v.input?.appId, run: (world, v) => world.allocateIp(v.input ?? {}) },
  { operation: 'ips.release', pattern: /\breleaseIpAddress\s*\(/, scope: (v) => v.input?.appId, run: (world, v) => world.releaseIp(v.input ?? {}) },
  { operation: 'secrets.set', pattern: /\bsetSecrets\s*\(/, scope: (v) => v.input?.appId, run: (world, v) => world.setSecrets(v.input ?? {}) },
  { operation: 'secrets.unset', pattern: /\bunsetSecrets\s*\(/, scope: (v) => v.input?.appId, run: (world, v) => world.unsetSecrets(v.input ?? {}) },
  { operation: 'organization.get', pattern: /\borganization\s*\(\s*slug/, scope: (v) => v.slug, run: (world, v) => world.organization(v.slug) },
  { operation: 'regions.list', pattern: /\bplatform\s*\{/, scope: () => 'platform', run: (world) => world.regions() },
  { operation: 'app.detailed', pattern: /\bapp\s*\(\s*name/, scope: (v) => v.name, run: (world, v) => world.appDetailed(v.name) },
];

function graphqlReply(data: unknown, failure?: GraphqlFailure): Reply {
  if (!failure) return { status: 200, body: { data } };
  return { status: 200, body: { data: null, errors: [{ message: failure.message, ...(failure.code ? { extensions: { code: failure.code } } : {}) }] } };
}

export function graphqlCall(world: FlyWorld, bodyText: string): ApiCall {
  let request: { query?: unknown; variables?: Variables };
  try {
    request = JSON.parse(bodyText) as typeof request;
  } catch {
    return { operation: 'unknown', scope: '', run: async () => ({ status: 400, body: { errors: [{ message: 'invalid JSON' }] } }) };
  }
  const query = typeof request.query === 'string' ? request.query : '';
  const variables = request.variables ?? {};
  const found = OPERATIONS.find((candidate) => candidate.pattern.test(query));
  if (!found) return { operation: 'unknown', scope: '', run: async () => graphqlReply(undefined, new GraphqlFailure('this emulator does not serve that query')) };
  return {
    operation: found.operation,
    scope: String(found.scope(variables) ?? ''),
    async run() {
      try {
        return graphqlReply(await found.run(world, variables));
      } catch (error) {
        return error instanceof GraphqlFailure ? graphqlReply(undefined, error) : failureReply(error);
      }
    },
  };
}
