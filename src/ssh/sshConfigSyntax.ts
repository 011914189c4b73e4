import { invalidConfig } from '../core/errors';
import { refusedValue } from './sshFileValues';

/**
 * A path as an Include argument: always double-quoted (so spaces are safe), Windows separators as "/". ssh_config has
 * no escape for a double quote, so a path containing one is refused.
 */
export function quotedPath(path: string): string {
  if (/["\r\n]/.test(path)) throw invalidConfig('path', `"${path}" cannot be written into an ssh config file: it contains a quote or a line break`);
  return `"${windowsSeparators(path)}"`;
}

/** The arguments of an ssh_config line, double quotes grouping words as ssh reads them. */
export function configArguments(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

/**
 * A path for a directive whose argument ssh expands (IdentityFile, UserKnownHostsFile): absolute, double-quoted, each
 * "%" written "%%" so that it stays a "%". Whatever ssh would read as something else is refused: a double quote, a
 * backslash (an escape inside quotes), "${" (an environment variable) or a control character.
 */
export function expandedPathArgument(path: string, field: string): string {
  const normalized = windowsSeparators(path);
  if (!/^(\/|[A-Za-z]:\/)/.test(normalized)) throw refusedValue(field, path, 'is not an absolute path', 'an ssh config file');
  if (/["\\\x00-\x1f\x7f-\x9f]|\$\{/.test(normalized)) {
    throw refusedValue(field, path, 'holds a double quote, a backslash, "${" or a control character, which ssh would not read as part of a path', 'an ssh config file');
  }
  return `"${normalized.replace(/%/g, '%%')}"`;
}

/** The path an expandedPathArgument stands for. */
export function pathOfArgument(argument: string): string | undefined {
  return /^"([^"]*)"$/.exec(argument)?.[1]?.replace(/%%/g, '%');
}

/** Words the shell takes as they are; "=" may not lead, as ssh would take it for the one after "ProxyCommand". */
const PLAIN_WORD = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/**
 * An argv as a ProxyCommand, which ssh hands to the user's shell after expanding %-tokens: each "%" written "%%", each
 * argument single-quoted unless plain, with its quotes and backslashes written outside the quotes as \' and \\ (ssh
 * checks the line's quoting its own way, where a backslash escapes even inside single quotes). Control characters (a
 * line break would end the line) are refused.
 */
export function proxyCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw refusedValue('proxyCommand', '', 'is an empty argv', 'an ssh config file');
  const unsafe = argv.find((arg) => /[\x00-\x1f\x7f-\x9f]/.test(arg));
  if (unsafe !== undefined) throw refusedValue('proxyCommand', unsafe, 'holds a line break or another control character', 'an ssh config file');
  return argv.map(shellWord).join(' ').replace(/%/g, '%%');
}

function shellWord(arg: string): string {
  if (PLAIN_WORD.test(arg)) return arg;
  if (arg === '') return "''";
  return arg
    .split(/(['\\])/)
    .filter((part) => part !== '')
    .map((part) => (part === "'" || part === '\\' ? `\\${part}` : `'${part}'`))
    .join('');
}

/** The argv a proxyCommandLine stands for (a line it would not write may give anything: compare by writing it again). */
export function proxyCommandArgv(line: string): string[] {
  const words = line.replace(/%%/g, '%').match(/(?:'[^']*'|\\['\\]|[^'\\ ]+)+/g) ?? [];
  return words.map((word) => (word.match(/'[^']*'|\\['\\]|[^'\\]+/g) ?? []).map((part) => (part.startsWith('\\') ? part.slice(1) : part.startsWith("'") ? part.slice(1, -1) : part)).join(''));
}

function windowsSeparators(path: string): string {
  return /^[A-Za-z]:\\/.test(path) ? path.replace(/\\/g, '/') : path;
}
