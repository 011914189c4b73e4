import type { ExecOptions } from '../../core/provider';

/** One argument for a POSIX shell, single-quoted (a quote inside becomes '\'') so the remote shell takes it literally. */
function posixQuote(argument: string): string {
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/**
 * SSH carries a command as one string for the remote login shell to parse, so an argv array becomes a string in which
 * every argument is quoted: nothing in it is ever interpreted. Env goes through `env`, the directory through `cd`.
 */
export function remoteCommand(argv: readonly string[], { env = {}, workdir }: Pick<ExecOptions, 'env' | 'workdir'> = {}): string {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  const program = [...(assignments.length > 0 ? ['env', ...assignments] : []), ...argv].map(posixQuote).join(' ');
  return workdir === undefined ? `exec ${program}` : `cd ${posixQuote(workdir)} && exec ${program}`;
}
