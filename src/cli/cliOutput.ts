import { errorMessage, SwarmError, type Remedy, type SwarmErrorCode } from '../core/errors';
import type { StateDirectory } from './stateDirectory';

/** Exit codes, documented in README: scripts may branch on them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  invalid: 2,
  notFound: 3,
  conflict: 4,
  unavailable: 5,
  cancelled: 130,
} as const;

const EXIT_BY_CODE: Partial<Record<SwarmErrorCode, number>> = {
  INVALID_CONFIG: EXIT.invalid,
  INSTANCE_NOT_FOUND: EXIT.notFound,
  IMAGE_NOT_FOUND: EXIT.notFound,
  CONFLICT: EXIT.conflict,
  RESOURCE_LIMIT_EXCEEDED: EXIT.conflict,
  PROVIDER_UNAVAILABLE: EXIT.unavailable,
  PROVIDER_NOT_REGISTERED: EXIT.invalid,
  AUTH_FAILED: EXIT.unavailable,
  HOST_KEY_REJECTED: EXIT.unavailable,
  RATE_LIMITED: EXIT.unavailable,
  OPERATION_CANCELLED: EXIT.cancelled,
};

export function exitCodeOf(error: unknown): number {
  return SwarmError.is(error) ? (EXIT_BY_CODE[error.code] ?? EXIT.failed) : EXIT.failed;
}

/** An error as a terminal user reads it: what failed, and how to fix it in this front end's words. */
export function describeError(error: unknown, directory: StateDirectory): string {
  const remedy = SwarmError.is(error) && error.remedy ? `\n  fix: ${remedyText(error.remedy, directory)}` : '';
  return `error: ${errorMessage(error)}${remedy}`;
}

function remedyText(remedy: Remedy, { settingsFile }: StateDirectory): string {
  switch (remedy.kind) {
    case 'setting':
      return `set "${remedy.setting}" in ${settingsFile}`;
    case 'secret':
      return `store the ${remedy.label}: remote-swarm secret set ${remedy.secret} (reads it from stdin)`;
    case 'refresh':
      return 'list the instances afresh: remote-swarm list';
  }
}

/** The option of every command that prints data. */
export const JSON_OPTION = ['--json', 'print JSON instead of a table'] as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
}
