import { ApiFailure, badRequest } from './apiFailure';
import type { FlyWorld } from './flyWorld';
import { restPage } from './pages';
import { schemaProblems, type SchemaName } from './specSchemas';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request, identified: its operation and rate-limit scope, and how to answer it. */
export interface ApiCall {
  /** e.g. "machine.start"; faults and request counts use these names. */
  operation: string;
  /** What the operation's rate limit counts per: a machine, an app, or the organization. */
  scope: string;
  run(): Promise<Reply>;
}

/** A handler's answer that carries headers besides its body. */
class WithHeaders {
  constructor(
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {}
}

/** The spec's maxima for `limit`. */
const MAX_APPS_PER_PAGE = 5000;
const MAX_MACHINES_PER_PAGE = 1000;
const MAX_VOLUMES_PER_PAGE = 1000;

/** A page of a list whose next cursor goes in the `fly-next-cursor` header (machines, volumes). */
function headerPaged(items: readonly unknown[], query: URLSearchParams, max: number): WithHeaders {
  const page = restPage(items, query, max);
  return new WithHeaders(page.items, page.nextCursor === undefined ? {} : { 'fly-next-cursor': page.nextCursor });
}

/** A body that passed the route's spec schema, so its fields have the types the handlers declare. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the spec schema, not TypeScript, checked these fields
type ValidatedBody = Record<string, any>;

interface RouteInput {
  world: FlyWorld;
  params: Record<string, string>;
  query: URLSearchParams;
  body: ValidatedBody;
}

interface Route {
  method: string;
  segments: string[];
  operation: string;
  /** The spec schema the body must satisfy. */
  schema?: SchemaName;
  /** 200 with the handler's result as JSON, or this status without a body. */
  emptyStatus?: number;
  handle(input: RouteInput): unknown;
}

function route(method: string, path: string, operation: string, handle: Route['handle'], extra: Pick<Route, 'schema' | 'emptyStatus'> = {}): Route {
  return { method, segments: path.split('/').filter(Boolean), operation, handle, ...extra };
}

const APP = '/v1/apps/:app';
const MACHINE = `${APP}/machines/:machine`;
const VOLUME = `${APP}/volumes/:volume`;

/** The Machines API paths the client uses (../shared/fly/machines-openapi3.json, served under /v1; paging, wait states and versions as the newest spec has them). */
const ROUTES: readonly Route[] = [
  route('GET', '/v1/apps', 'apps.list', ({ world, query }) => {
    const apps = world.listApps(query.get('org_slug') ?? undefined);
    const page = restPage(apps, query, MAX_APPS_PER_PAGE);
    return { total_apps: apps.length, apps: page.items, ...(page.nextCursor === undefined ? {} : { next_cursor: page.nextCursor }) };
  }),
  route('POST', '/v1/apps', 'apps.create', ({ world, body }) => world.createApp(body), { schema: 'CreateAppRequest', emptyStatus: 201 }),
  route('GET', APP, 'app.get', ({ world, params }) => world.getApp(params.app!)),
  route('DELETE', APP, 'app.delete', ({ world, params }) => world.deleteApp(params.app!), { emptyStatus: 202 }),
  route('GET', `${APP}/machines`, 'machines.list', ({ world, params, query }) =>
    headerPaged(world.machines.list(params.app!, query.get('include_deleted') === 'true'), query, MAX_MACHINES_PER_PAGE),
  ),
  route('POST', `${APP}/machines`, 'machines.create', ({ world, params, body }) => world.machines.create(params.app!, body), { schema: 'CreateMachineRequest' }),
  route('GET', MACHINE, 'machine.get', ({ world, params }) => world.machines.get(params.app!, params.machine!)),
  route('POST', MACHINE, 'machine.update', ({ world, params, body }) => world.machines.update(params.app!, params.machine!, body), { schema: 'UpdateMachineRequest' }),
  route('DELETE', MACHINE, 'machine.delete', ({ world, params, query }) => world.machines.delete(params.app!, params.machine!, query.get('force') === 'true')),
  route('POST', `${MACHINE}/start`, 'machine.start', ({ world, params }) => world.machines.start(params.app!, params.machine!)),
  route('POST', `${MACHINE}/stop`, 'machine.stop', ({ world, params, body }) => world.machines.stop(params.app!, params.machine!, body), {
    schema: 'StopRequest',
  }),
  route('POST', `${MACHINE}/restart`, 'machine.restart', ({ world, params, query }) => world.machines.restart(params.app!, params.machine!, query.get('timeout') ?? undefined)),
  route('GET', `${MACHINE}/wait`, 'machine.wait', ({ world, params, query }) => world.machines.wait(params.app!, params.machine!, query)),
  route('POST', `${MACHINE}/exec`, 'machine.exec', ({ world, params, body }) => world.machines.exec(params.app!, params.machine!, body), { schema: 'MachineExecRequest' }),
  route('GET', `${APP}/volumes`, 'volumes.list', ({ world, params, query }) => headerPaged(world.listVolumes(params.app!), query, MAX_VOLUMES_PER_PAGE)),
  route('POST', `${APP}/volumes`, 'volumes.create', ({ world, params, body }) => world.createVolume(params.app!, body), { schema: 'CreateVolumeRequest' }),
  route('GET', VOLUME, 'volume.get', ({ world, params }) => world.requireVolume(world.requireApp(params.app!), params.volume!)),
  route('DELETE', VOLUME, 'volume.delete', ({ world, params }) => world.deleteVolume(params.app!, params.volume!)),
  route('PUT', `${VOLUME}/extend`, 'volume.extend', ({ world, params, body }) => world.extendVolume(params.app!, params.volume!, body), { schema: 'ExtendVolumeRequest' }),
];

function match(route: Route, segments: string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of route.segments.entries()) {
    const actual = decodeURIComponent(segments[index]!);
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}

export function failureReply(error: unknown): Reply {
  if (error instanceof ApiFailure) return { status: error.httpStatus, body: error.body() };
  return { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
}

function parseBody(text: string, schema: SchemaName | undefined): ValidatedBody {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest('invalid JSON in request body');
  }
  const problems = schema === undefined ? [] : schemaProblems(body, schema);
  if (problems.length > 0) throw badRequest(`invalid request body: ${problems.join('; ')}`);
  return (body ?? {}) as ValidatedBody;
}

export function restCall(world: FlyWorld, method: string, url: URL, bodyText: string): ApiCall {
  const segments = url.pathname.split('/').filter(Boolean);
  const found = ROUTES.map((candidate) => ({ route: candidate, params: match(candidate, segments) })).filter((entry) => entry.params !== undefined);
  const hit = found.find((entry) => entry.route.method === method);
  if (!hit) {
    const reply: Reply = found.length > 0 ? { status: 405, body: { error: `method ${method} not allowed` } } : { status: 404, body: { error: `no route ${url.pathname}` } };
    return { operation: 'unknown', scope: '', run: async () => reply };
  }
  const { route: matched, params = {} } = hit;
  return {
    operation: matched.operation,
    scope: params.machine !== undefined ? `${params.app}/${params.machine}` : (params.app ?? 'org'),
    async run() {
      try {
        const result = await matched.handle({ world, params, query: url.searchParams, body: parseBody(bodyText, matched.schema) });
        if (result instanceof WithHeaders) return { status: 200, body: result.body, headers: result.headers };
        return matched.emptyStatus === undefined ? { status: 200, body: result } : { status: matched.emptyStatus };
      } catch (error) {
        return failureReply(error);
      }
    },
  };
}
