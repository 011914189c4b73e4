import type { ExecOptions } from '../../core/provider';

/** Changes directory and runs its arguments; a fixed script, with the directory and argv passed as positional parameters. */
const CHANGE_DIRECTORY_THEN_EXEC = 'cd "$1" && shift && exec "$@"';

/**
 * Fly's exec takes only a command array, so environment and working directory are applied inside it: `env` for the
 * variables, and `sh` running a fixed script for the directory. No argument is ever put into a shell string.
 */
export function flyExecCommand(argv: readonly string[], { env = {}, workdir }: Pick<ExecOptions, 'env' | 'workdir'> = {}): string[] {
  const variables = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  const withEnv = variables.length === 0 ? [...argv] : ['env', ...variables, ...argv];
  return workdir === undefined ? withEnv : ['sh', '-c', CHANGE_DIRECTORY_THEN_EXEC, 'sh', workdir, ...withEnv];
}
