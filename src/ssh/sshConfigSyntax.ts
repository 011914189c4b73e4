import { invalidConfig } from '../core/errors';

/**
 * A path as an ssh_config argument: always double-quoted (so spaces are safe), Windows separators as "/". ssh_config
 * has no escape for a double quote, so a path containing one is refused.
 */
export function quotedPath(path: string): string {
  if (/["\r\n]/.test(path)) throw invalidConfig('path', `"${path}" cannot be written into an ssh config file: it contains a quote or a line break`);
  return `"${/^[A-Za-z]:\\/.test(path) ? path.replace(/\\/g, '/') : path}"`;
}

/** The arguments of an ssh_config line, double quotes grouping words as ssh reads them. */
export function configArguments(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** An argv as a ProxyCommand, which ssh hands to the user's shell: each argument single-quoted, line breaks refused. */
export function proxyCommandLine(argv: readonly string[]): string {
  if (argv.length === 0 || argv.some((arg) => /[\r\n\0]/.test(arg))) throw invalidConfig('proxyCommand', 'must be a non-empty argv without line breaks');
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
