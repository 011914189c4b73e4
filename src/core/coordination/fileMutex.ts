import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SwarmError } from '../errors';

export interface FileMutexTimings {
  /** How long `withFileMutex` waits for another holder. */
  waitMs: number;
  /** A mutex file older than this was left by a holder that died inside its critical section, and is taken over. */
  staleMs: number;
}

/**
 * Runs `work` holding the mutex file (created exclusively) when no other process holds it; undefined when one does.
 * Critical sections under a mutex are short and never wait, so a holder keeps it only for as long as it takes to read
 * and replace a small file.
 */
export function tryWithFileMutex<T>(mutexPath: string, staleMs: number, work: () => T): { value: T } | undefined {
  mkdirSync(dirname(mutexPath), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(mutexPath, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ageMs(mutexPath) <= staleMs) return undefined;
    rmSync(mutexPath, { force: true });
    return tryWithFileMutex(mutexPath, staleMs, work);
  }
  try {
    return { value: work() };
  } finally {
    rmSync(mutexPath, { force: true });
  }
}

/** Runs `work` holding the mutex file, waiting up to `waitMs` for another holder. */
export async function withFileMutex<T>(mutexPath: string, { waitMs, staleMs }: FileMutexTimings, work: () => T): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const done = tryWithFileMutex(mutexPath, staleMs, work);
    if (done) return done.value;
    if (Date.now() > deadline) {
      throw new SwarmError('CONFLICT', `${mutexPath} has been locked by another Remote Swarm process for over ${waitMs / 1000} s; if none runs, remove that file.`);
    }
    await sleep(5 + Math.random() * 20);
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
