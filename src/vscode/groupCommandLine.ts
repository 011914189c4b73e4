import type { MemberExecResult } from '../core/groups/groupService';

/** What Run Command in Group turns a typed line into: the argv, or why it cannot. */
export type ParsedCommandLine = { argv: string[]; problem?: undefined } | { argv?: undefined; problem: string };

/**
 * Splits a typed command line into argv as a POSIX shell splits words, and nothing more: 'single quotes' keep
 * everything, "double quotes" keep everything but \" and \\, a backslash outside quotes keeps the next character. No
 * variable, glob or pipe is expanded here: the argv runs without a shell (write `sh -c '…'` for one).
 */
export function parseCommandLine(line: string): ParsedCommandLine {
  const argv: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (line[index + 1] === '"' || line[index + 1] === '\\')) word += line[++index];
      else word += char;
    } else if (/\s/.test(char)) {
      if (word !== undefined) argv.push(word);
      word = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\') {
      if (index + 1 === line.length) return { problem: 'The command ends with a lone backslash' };
      word = (word ?? '') + line[++index];
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) return { problem: `A ${quote === "'" ? 'single' : 'double'} quote is not closed` };
  if (word !== undefined) argv.push(word);
  if (argv.length === 0) return { problem: 'Type the command to run, e.g. hostname' };
  return { argv };
}

/** The argv as a line the user could type again (words with spaces or quotes single-quoted). */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const OUTPUT_LINES = 3;
const OUTPUT_CHARS = 200;

/**
 * The results of one run on every member as a Markdown table, in member order: member, role, exit code (or "—" where it
 * could not run) and the first lines of what it printed (or why it could not run).
 */
export function execResultsMarkdown(group: string, argv: readonly string[], results: readonly MemberExecResult[], ranAt: Date): string {
  const succeeded = results.filter((result) => result.result?.exitCode === 0).length;
  const rows = results.map((result) => {
    const exitCode = result.result ? String(result.result.exitCode) : '—';
    const output = result.result ? firstLines(`${result.result.stdout}\n${result.result.stderr}`) : `could not run: ${result.error ?? 'unknown error'}`;
    return `| ${cell(result.member)} | ${cell(result.role)} | ${exitCode} | ${cell(output)} |`;
  });
  return [
    `# Run in group ${group}`,
    '',
    `\`${formatCommandLine(argv).replace(/`/g, "'")}\` on ${results.length} member${results.length === 1 ? '' : 's'}, ${ranAt.toLocaleString()}: ${succeeded} exited 0.`,
    '',
    '| Member | Role | Exit code | Output |',
    '| --- | --- | ---: | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** The first non-empty lines, joined by " ⏎ " to fit a table cell. */
function firstLines(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  const shown = lines.slice(0, OUTPUT_LINES).join(' ⏎ ');
  const more = lines.length > OUTPUT_LINES ? ` ⏎ … (${lines.length - OUTPUT_LINES} more lines)` : '';
  return (shown.length > OUTPUT_CHARS ? `${shown.slice(0, OUTPUT_CHARS)}…` : shown) + more;
}

/** Text that stays inside its table cell and renders as written. */
function cell(text: string): string {
  return text.replace(/[\\|`*_[\]<>#]/g, (char) => `\\${char}`);
}
