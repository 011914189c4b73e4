import { readFileSync } from 'node:fs';

/** A text file's content, or "" when there is no such file. */
export function readTextIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
