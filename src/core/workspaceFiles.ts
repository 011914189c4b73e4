import { posix } from 'node:path';
import { invalidConfig, SwarmError } from './errors';
import type { Instance } from './models';
import type { ExecResult } from './provider';

/** What one read_file or write_file moves at most: they are for an agent's small edits, not bulk copies. */
export const MAX_FILE_BYTES = 256 * 1024;

/** An agent's path inside the instance's workspace, made absolute; ".." or an absolute path leaving it is refused. */
export function workspacePath(instance: Instance, path: string): string {
  const root = instance.config.workspacePath;
  const resolved = posix.resolve(root, path);
  if (resolved !== root && !resolved.startsWith(`${root.replace(/\/$/, '')}/`)) {
    throw invalidConfig('path', `"${path}" is outside the workspace ${root}; give a path inside it, e.g. "src/main.ts"`);
  }
  return resolved;
}

/** argv that prints a file (base64, so any bytes survive exec's text output), refusing one over the size limit. */
export function readFileArgv(path: string): string[] {
  return ['sh', '-c', 'size=$(wc -c < "$1") || exit 3; [ "$size" -le "$2" ] || { echo "too large: $size bytes" >&2; exit 4; }; base64 < "$1"', 'read-file', path, String(MAX_FILE_BYTES)];
}

/** argv that writes base64 content to a file, making its folder first. */
export function writeFileArgv(path: string, content: Buffer): string[] {
  if (content.length > MAX_FILE_BYTES) throw invalidConfig('content', `is ${content.length} bytes; write at most ${MAX_FILE_BYTES} bytes at a time`);
  return ['sh', '-c', 'mkdir -p "$(dirname "$1")" && printf %s "$2" | base64 -d > "$1"', 'write-file', path, content.toString('base64')];
}

export function decodeFile(result: ExecResult, path: string): Buffer {
  if (result.exitCode === 4) throw new SwarmError('RESOURCE_LIMIT_EXCEEDED', `${path} is larger than ${MAX_FILE_BYTES} bytes; read it with exec_command in parts.`);
  if (result.exitCode !== 0) throw new SwarmError('OPERATION_FAILED', `Reading ${path} failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
  return Buffer.from(result.stdout.replace(/\s+/g, ''), 'base64');
}
