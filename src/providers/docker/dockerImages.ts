import { addAbortSignal, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { OperationOptions } from '../../core/provider';
import { cancelled, engineMessage, imageNotFound } from '../dockerEngine/dockerErrors';

interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
}

/** Makes sure `image` is on the engine: uses the local one, else pulls it with progress; the pull stops when `signal` aborts. */
export async function ensureImage(docker: Docker, image: string, { signal, onProgress }: OperationOptions = {}): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  onProgress?.(`Pulling image ${image}`);
  try {
    const stream = (await docker.pull(image, { abortSignal: signal })) as Readable;
    if (signal) addAbortSignal(signal, stream);
    await followPull(docker, stream, (event) => {
      if (event.status) onProgress?.(`Pulling image ${image}: ${[event.id, event.status, event.progress].filter(Boolean).join(' ')}`);
    });
  } catch (error) {
    if (signal?.aborted) throw cancelled(`Pulling image ${image}`);
    throw imageNotFound(image, engineMessage(error), error);
  }
}

/** Resolves when the pull stream ends; the engine reports a pull that fails midway as an `error` event in the stream. */
function followPull(docker: Docker, stream: Readable, onEvent: (event: PullEvent) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error, events: PullEvent[]) => {
        const failure = error?.message ?? events.find((event) => event.error)?.error;
        if (failure === undefined) resolve();
        else reject(new Error(failure));
      },
      onEvent,
    );
  });
}
