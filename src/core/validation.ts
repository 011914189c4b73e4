import type * as z from 'zod';
import { SwarmError } from './errors';

/** Parses with a zod schema; a rejection becomes INVALID_CONFIG naming every offending field and what is allowed. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = [what, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return { field, message: `${field} ${issue.message}` };
  });
  return throwInvalid(problems);
}

function throwInvalid(problems: { field: string; message: string }[]): never {
  throw new SwarmError('INVALID_CONFIG', problems.map((p) => p.message).join('; '), {
    details: { fields: problems.map((p) => p.field), field: problems[0]?.field },
  });
}

/** First problem of a value, or undefined when it is valid: for validate-as-you-type inputs. */
export function firstProblem<S extends z.ZodType>(schema: S, value: unknown, label: string): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return issue ? `${label} ${issue.message}` : undefined;
}
