import { addAbortSignal } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { ExecOptions, ExecResult } from '../../core/provider';
import { demultiplex } from './dockerLogs';

/** Runs argv in a running container and collects its output. Cancelling stops reading; Docker cannot kill an exec'd process. */
export async function runExec(container: Docker.Container, argv: readonly string[], { env = {}, workdir, signal }: ExecOptions = {}): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: [...argv],
    AttachStdout: true,
    AttachStderr: true,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    WorkingDir: workdir,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  if (signal) addAbortSignal(signal, stream);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  const { stdout, stderr } = demultiplex(Buffer.concat(chunks));
  return { stdout, stderr, exitCode: (await exitCodeOnceEnded(exec)) ?? -1 };
}

/**
 * The exit code of an exec whose output has closed, or undefined when it still runs (or the engine cannot say) after
 * about a second: the engine can close the output a moment before it records the exit code.
 */
export async function exitCodeOnceEnded(exec: Docker.Exec): Promise<number | undefined> {
  for (let attempt = 0; ; attempt++) {
    const { Running, ExitCode } = await exec.inspect();
    if (!Running && ExitCode !== null) return ExitCode;
    if (attempt === 50) return undefined;
    await delay(20);
  }
}
