import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';

/**
 * Docker multiplexes stdout and stderr of a container without a TTY into frames with an 8-byte header:
 * [stream type (0 stdin, 1 stdout, 2 stderr), 0, 0, 0, payload size as uint32 big-endian].
 */
const HEADER_SIZE = 8;

export interface DemultiplexedOutput {
  stdout: string;
  stderr: string;
  /** Both streams in the order docker recorded them. */
  all: string;
}

export function demultiplex(raw: Buffer): DemultiplexedOutput {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const all: Buffer[] = [];
  let offset = 0;
  while (offset < raw.length) {
    if (!isFrameHeader(raw, offset)) {
      // Not multiplexed (a TTY container): the rest is plain output.
      const rest = raw.subarray(offset);
      stdout.push(rest);
      all.push(rest);
      break;
    }
    const end = Math.min(raw.length, offset + HEADER_SIZE + raw.readUInt32BE(offset + 4));
    const payload = raw.subarray(offset + HEADER_SIZE, end);
    (raw[offset] === 2 ? stderr : stdout).push(payload);
    all.push(payload);
    offset = end;
  }
  // Decoded only after joining, so a character split across two frames survives.
  return { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), all: Buffer.concat(all).toString('utf8') };
}

function isFrameHeader(raw: Buffer, offset: number): boolean {
  return raw.length - offset >= HEADER_SIZE && (raw[offset] ?? 3) <= 2 && raw[offset + 1] === 0 && raw[offset + 2] === 0 && raw[offset + 3] === 0;
}

/**
 * A followed log as the engine streams it, without its frame headers: stdout and stderr in the order the engine
 * recorded them, ending with the engine's stream, which `signal` cuts.
 */
export function followedLines(docker: Docker, raw: NodeJS.ReadableStream, signal: AbortSignal): Readable {
  const lines = new PassThrough();
  docker.modem.demuxStream(raw, lines, lines);
  raw.once('close', () => lines.end());
  raw.once('error', (error: Error) => lines.destroy(error));
  signal.addEventListener('abort', () => (raw as unknown as { destroy(): void }).destroy(), { once: true });
  return lines;
}
