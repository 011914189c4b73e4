import spec from './machines-openapi3.json';

/**
 * Request-body validation against the component schemas of Fly's Machines API spec (a copy of
 * ../shared/fly/machines-openapi3.json, superfly/docs @ 5741d10c). Fly decodes bodies with Go's encoding/json, so
 * unknown fields are ignored and null reads as the zero value, but a value of the wrong type is refused.
 */
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  $ref?: string;
}

const schemas = spec.components.schemas as Record<string, Schema>;

export type SchemaName = keyof typeof spec.components.schemas;

function resolve(schema: Schema): Schema {
  if (schema.$ref === undefined) return schema;
  const target = schemas[schema.$ref.replace('#/components/schemas/', '')];
  if (!target) throw new Error(`The spec has no schema ${schema.$ref}`);
  return resolve(target);
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function problemsOf(value: unknown, schema: Schema, path: string): string[] {
  if (value === null) return [];
  const resolved = resolve(schema);
  const problems = (resolved.allOf ?? []).flatMap((part) => problemsOf(value, part, path));
  if (resolved.type !== undefined && !matchesType(value, resolved.type)) return [...problems, `${path || 'body'}: expected ${resolved.type}, got ${typeOf(value)}`];
  if (resolved.enum !== undefined && !resolved.enum.includes(value)) problems.push(`${path}: must be one of ${resolved.enum.join(', ')}`);
  if (typeOf(value) === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = resolved.properties?.[key] ?? resolved.additionalProperties;
      if (childSchema) problems.push(...problemsOf(child, childSchema, path ? `${path}.${key}` : key));
    }
  }
  if (Array.isArray(value) && resolved.items) value.forEach((item, index) => problems.push(...problemsOf(item, resolved.items!, `${path}[${index}]`)));
  return problems;
}

/** What is wrong with a request body for the named schema; empty when it is acceptable. */
export function schemaProblems(body: unknown, name: SchemaName): string[] {
  return problemsOf(body, { $ref: `#/components/schemas/${name}` }, '');
}
