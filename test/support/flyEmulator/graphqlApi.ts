import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { GraphqlFailure } from './apiFailure';
import type { FlyWorld } from './flyWorld';
import { failureReply, type ApiCall, type Reply } from './restApi';

type Variables = Record<string, unknown> & { input?: Record<string, unknown> };

interface Operation {
  operation: string;
  /** Recognises fly-admin's query text by its root field. */
  pattern: RegExp;
  scope(variables: Variables): unknown;
  run(world: FlyWorld, variables: Variables, document: DocumentNode): unknown;
}

/** Fly's GraphQL schema (a copy of ../shared/fly/fly-graphql-schema.graphql): every query is validated against it. */
let flySchema: GraphQLSchema | undefined;
function schema(): GraphQLSchema {
  flySchema ??= buildSchema(readFileSync(join(__dirname, 'fly-graphql-schema.graphql'), 'utf8'));
  return flySchema;
}

/** Runs a query against the schema with the world's organizations as the root: whatever fields it selects. */
async function executed(world: FlyWorld, variables: Variables, document: DocumentNode): Promise<unknown> {
  const result = await execute({ schema: schema(), document, variableValues: variables, rootValue: { organization: ({ slug }: { slug: string }) => world.organizationGraph(slug) } });
  if (result.errors?.length) throw new GraphqlFailure(result.errors.map((error) => error.message).join('; '));
  return result.data;
}

/** The GraphQL operations fly-admin 1.6.1 sends, and the listing of apps with their machines (fly-graphql-schema.graphql). */
const OPERATIONS: readonly Operation[] = [
  { operation: 'apps.machines.list', pattern: /\bapps\s*\([^)]*\)\s*\{[\s\S]*\bmachines\s*\(/, scope: (v) => v.slug, run: executed },
  { operation: 'apps.networks.list', pattern: /\bapps\s*\([^)]*\)\s*\{[\s\S]*\bnetwork\b/, scope: (v) => v.slug, run: executed },
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

/** A query Fly's GraphQL endpoint cannot run: answered at once, with the reasons, and not counted against any limit. */
function refused(message: string): ApiCall {
  return { operation: 'unknown', scope: '', run: async () => graphqlReply(undefined, new GraphqlFailure(message, 'GRAPHQL_VALIDATION_FAILED')) };
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
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return refused(String(error));
  }
  const problems = validate(schema(), document);
  if (problems.length > 0) return refused(problems.map((problem) => problem.message).join('; '));
  const found = OPERATIONS.find((candidate) => candidate.pattern.test(query));
  if (!found) return { operation: 'unknown', scope: '', run: async () => graphqlReply(undefined, new GraphqlFailure('this emulator does not serve that query')) };
  return {
    operation: found.operation,
    scope: String(found.scope(variables) ?? ''),
    async run() {
      try {
        return graphqlReply(await found.run(world, variables, document));
      } catch (error) {
        return error instanceof GraphqlFailure ? graphqlReply(undefined, error) : failureReply(error);
      }
    },
  };
}
