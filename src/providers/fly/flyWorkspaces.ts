import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import { errorMessage, SwarmError } from '../../core/errors';
import type { ExecResult, OperationOptions, WorkspaceTransfer } from '../../core/provider';
import { NO_NODE_EXIT, receiverCommand, TRANSFER_PORT } from './flyTransferReceiver';

/** How long the receiver waits for our request before it exits by itself. */
const RECEIVER_IDLE_SECONDS = 60;

/** An instance's machine, started for a transfer. */
export interface TransferMachine {
  app: string;
  machineId: string;
  workspacePath: string;
  /** Stops the machine again if the transfer started it. */
  release(): Promise<void>;
}

/** What the transfer needs of the provider. */
export interface FlyTransferHost {
  /** The instance's machine with the transfer service, started (and told to stop again by `release`). */
  startedMachine(id: string, action: string, signal: AbortSignal | undefined): Promise<TransferMachine>;
  exec(app: string, machineId: string, argv: readonly string[]): Promise<ExecResult>;
  /** Where the app's service for an internal port answers from here: https://<app>.fly.dev:<port>/ on Fly. */
  serviceUrl(app: string, internalPort: number): Promise<string>;
}

/**
 * Workspaces in and out of Fly machines. The Machines API's exec takes stdin as one string and answers with stdout as
 * one string, at one request per second per machine: a gigabyte through it would take hours. So exec only starts a
 * receiver in the machine (flyTransferReceiver.ts), and the tar stream goes over HTTPS through the app's transfer
 * service, guarded by a one-time token, at whatever the network carries. A stopped machine is started for the transfer
 * and stopped again after.
 */
export class FlyWorkspaces implements WorkspaceTransfer {
  constructor(private readonly host: FlyTransferHost) {}

  async exportWorkspace(id: string, { signal, onProgress }: OperationOptions = {}): Promise<Readable> {
    const action = `Exporting the workspace of instance ${id}`;
    const machine = await this.host.startedMachine(id, action, signal);
    try {
      onProgress?.(`Reading ${machine.workspacePath}`);
      const response = await this.open(machine, 'export', action, signal, (req) => req.end());
      const out = new PassThrough();
      response.once('error', (error) => out.destroy(failed(action, error)));
      response.once('aborted', () => out.destroy(failed(action, new Error('the machine ended the archive early (tar failed, or the connection dropped)'))));
      out.once('close', () => {
        response.destroy();
        void machine.release();
      });
      response.pipe(out);
      return out;
    } catch (error) {
      await machine.release();
      throw error;
    }
  }

  async importWorkspace(id: string, archive: Readable, { signal, onProgress }: OperationOptions = {}): Promise<void> {
    const action = `Importing a workspace into instance ${id}`;
    // Until the archive is read, an error of its own is kept (archive.errored) rather than thrown as uncaught.
    const keepError = () => undefined;
    archive.on('error', keepError);
    let machine: TransferMachine | undefined;
    try {
      machine = await this.host.startedMachine(id, action, signal);
      onProgress?.(`Unpacking into ${machine.workspacePath}`);
      const response = await this.open(machine, 'import', action, signal, (req) => {
        archive.once('error', (error) => req.destroy(error));
        archive.pipe(req);
      });
      response.resume();
      await new Promise<void>((resolve, reject) => response.once('end', resolve).once('error', reject));
    } catch (error) {
      archive.destroy();
      throw SwarmError.is(error) ? error : failed(action, error);
    } finally {
      archive.removeListener('error', keepError);
      await machine?.release();
    }
  }

  /** Starts the receiver and sends it the one request it serves; resolves with a 200 response, or throws what the machine said. */
  private async open(machine: TransferMachine, mode: 'export' | 'import', action: string, signal: AbortSignal | undefined, send: (req: ReturnType<typeof httpRequest>) => void): Promise<IncomingMessage> {
    const token = randomBytes(32).toString('hex');
    const digest = createHash('sha256').update(token).digest('hex');
    const started = await this.host.exec(machine.app, machine.machineId, receiverCommand(mode, machine.workspacePath, digest, TRANSFER_PORT, RECEIVER_IDLE_SECONDS));
    if (started.exitCode === NO_NODE_EXIT) {
      throw new SwarmError('OPERATION_FAILED', `${action} failed: the machine's image has no Node.js, which moves the workspace there (code-server images have it).`, { details: { missing: 'node' } });
    }
    if (started.exitCode !== 0) throw failed(action, new Error(`the transfer receiver did not start: ${started.stderr.trim() || started.stdout.trim() || `exit code ${started.exitCode}`}`));
    const url = new URL(await this.host.serviceUrl(machine.app, TRANSFER_PORT));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, { method: mode === 'export' ? 'GET' : 'PUT', headers: { 'x-remote-swarm-token': token }, ...(signal ? { signal } : {}) }, resolve);
      req.once('error', (error) => reject(signal?.aborted ? cancelled(action) : failed(action, error)));
      send(req);
    });
    if (response.statusCode === 200) return response;
    const text = await readAll(response);
    throw failed(action, new Error(`the machine answered ${response.statusCode}: ${text.trim()}`));
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function failed(action: string, error: unknown): SwarmError {
  return new SwarmError('OPERATION_FAILED', `${action} failed: ${errorMessage(error)}`, { cause: error });
}

function cancelled(action: string): SwarmError {
  return new SwarmError('OPERATION_CANCELLED', `${action} was cancelled.`);
}
