import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { RUN_ID } from './testRun';

/*
 * A real S3-compatible server on loopback for the backup tests: moto's server mode (Python, in this machine image's
 * Python and pip-installable). The npm candidates fall short: s3rver checks bucket-level requests of the current SDK
 * against the wrong signature, and has neither AbortMultipartUpload nor ListMultipartUploads, which is how a test sees
 * that a cancelled backup left no half upload. moto verifies SigV4 signatures against IAM access keys once its first
 * requests (the setup below) are spent, so wrong credentials are refused as S3 refuses them.
 */

/** Requests moto serves without authentication: the three IAM calls that make the backup user and its key. */
const SETUP_REQUESTS = 3;

export interface S3TestServer {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A client with the backup user's key, for looking at the bucket the way a user would. */
  client: S3Client;
  close(): Promise<void>;
}

/** Whether moto's server can run here (python3 with moto, flask and werkzeug). */
export function motoAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
}

export async function startS3TestServer(): Promise<S3TestServer> {
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(SETUP_REQUESTS), PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const endpoint = await listeningAddress(child);
    const key = await makeBackupUser(endpoint);
    const region = 'us-east-1';
    const bucket = `rs-backups-${RUN_ID}`.toLowerCase();
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: key, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { endpoint, region, bucket, ...key, client, close: () => stop(child, client) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** The address moto prints ("Running on http://127.0.0.1:PORT") once it listens; it fails within 30 s otherwise. */
function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`moto's server did not start within 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stderr?.removeAllListeners('data');
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto's server exited (${code}) before it listened:\n${output}`));
    });
  });
}

/** An IAM user allowed every S3 action, and its access key: moto's no-authentication requests are spent on these three. */
async function makeBackupUser(endpoint: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = async (parameters: Record<string, string>): Promise<string> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      // moto routes a request to a service by its credential scope; the signature is not checked for these.
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=SETUP/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=none' },
      body: new URLSearchParams({ ...parameters, Version: '2010-05-08' }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${parameters.Action} failed: ${text}`);
    return text;
  };
  await iam({ Action: 'CreateUser', UserName: 'backup' });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
  await iam({ Action: 'PutUserPolicy', UserName: 'backup', PolicyName: 'backups', PolicyDocument: JSON.stringify(policy) });
  const created = await iam({ Action: 'CreateAccessKey', UserName: 'backup' });
  const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(created)?.[1] ?? '';
  return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey') };
}

async function stop(child: ChildProcess, client: S3Client): Promise<void> {
  client.destroy();
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
