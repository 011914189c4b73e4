import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import type { BackupStore, BackupStoreSettings, StoredObject, StoreWriteOptions } from '../core/backups/backupStore';
import { BACKUP_SECRETS, secretError, settingError } from '../core/backups/backupSettings';
import { errorMessage, SwarmError } from '../core/errors';

/** Parts uploaded at once: memory holds this many parts plus the one being filled. */
const PARTS_IN_FLIGHT = 3;

/**
 * Backups in an S3 bucket (AWS or any S3-compatible store). Uploads are our own multipart uploads rather than
 * lib-storage's, whose cancel returns before the upload is aborted (its parts stay, billed): here a failure or cancel
 * waits for the parts in flight and aborts the upload before it rejects.
 */
export class S3BackupStore implements BackupStore {
  private readonly client: S3Client;

  constructor(private readonly settings: BackupStoreSettings) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.pathStyle,
      credentials: settings.credentials,
      // Checksums only where S3 requires them: many S3-compatible servers refuse the newer default ones.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async put(key: string, body: Readable, { metadata = {}, contentType, signal }: StoreWriteOptions = {}): Promise<void> {
    const target = { Bucket: this.settings.bucket, Key: key, Metadata: metadata, ...(contentType ? { ContentType: contentType } : {}) };
    const parts = partsOf(body, this.settings.partSizeBytes)[Symbol.asyncIterator]();
    try {
      const first = await parts.next();
      const second = first.done ? first : await parts.next();
      if (second.done) {
        await this.call(`Uploading ${key}`, signal, (options) => this.client.send(new PutObjectCommand({ ...target, Body: first.value ?? Buffer.alloc(0) }), options));
        return;
      }
      await this.multipart(key, target, [first.value!, second.value], parts, signal);
    } catch (error) {
      body.destroy();
      throw error;
    }
  }

  async get(key: string, { signal }: { signal?: AbortSignal } = {}): Promise<Readable> {
    const result = await this.call(`Downloading ${key}`, signal, (options) => this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }), options));
    return result.Body as Readable;
  }

  /**
   * Lists from the prefix's first folder and filters here: some S3-compatible servers (moto among them) check the
   * signature of a listing whose prefix holds "/" against the wrong encoding.
   */
  async list(prefix: string): Promise<StoredObject[]> {
    const listed: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('Listing backups', undefined, (options) => this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix.split('/')[0], ...(token ? { ContinuationToken: token } : {}) }), options));
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(prefix)) listed.push({ key: object.Key, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return listed;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const result = await this.call('Deleting backups', undefined, (options) => this.client.send(new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }), options));
    const failed = result.Errors?.[0];
    if (failed) throw new SwarmError('OPERATION_FAILED', `Deleting ${failed.Key} failed: ${failed.Message ?? failed.Code}`);
  }

  private async multipart(key: string, target: { Bucket: string; Key: string }, firstParts: Buffer[], rest: AsyncIterator<Buffer>, signal: AbortSignal | undefined): Promise<void> {
    const action = `Uploading ${key}`;
    const { UploadId } = await this.call(action, signal, (options) => this.client.send(new CreateMultipartUploadCommand(target), options));
    const completed: CompletedPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const upload = (part: Buffer, PartNumber: number) => {
      const sent = this.call(action, signal, (options) => this.client.send(new UploadPartCommand({ Bucket: target.Bucket, Key: key, UploadId, PartNumber, Body: part }), options)).then(
        ({ ETag }) => void completed.push({ ETag, PartNumber }),
        (error: unknown) => void (failure ??= error),
      );
      inFlight.add(sent);
      void sent.then(() => inFlight.delete(sent));
    };
    try {
      let number = 0;
      for (const part of firstParts) upload(part, ++number);
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        while (inFlight.size >= PARTS_IN_FLIGHT && failure === undefined) await Promise.race(inFlight);
        if (failure !== undefined) throw failure;
        upload(next.value, ++number);
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
      await this.call(action, signal, (options) => this.client.send(new CompleteMultipartUploadCommand({ Bucket: target.Bucket, Key: key, UploadId, MultipartUpload: { Parts: completed } }), options));
    } catch (error) {
      // No part may land after the abort: wait for those in flight (they fail fast once cancelled), then abort.
      await Promise.all(inFlight);
      await this.call(`Aborting the upload of ${key}`, undefined, (options) => this.client.send(new AbortMultipartUploadCommand({ Bucket: target.Bucket, Key: key, UploadId }), options)).catch(() => undefined);
      throw signal?.aborted ? cancelled(action) : error;
    }
  }

  private async call<Output>(action: string, signal: AbortSignal | undefined, run: (options: { abortSignal?: AbortSignal }) => Promise<Output>): Promise<Output> {
    if (signal?.aborted) throw cancelled(action);
    try {
      return await run(signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (signal?.aborted) throw cancelled(action);
      throw this.toSwarmError(error, action);
    }
  }

  /** What went wrong, naming the setting or the secret that fixes it. */
  private toSwarmError(error: unknown, action: string): SwarmError {
    if (SwarmError.is(error)) return error;
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    const { bucket, endpoint, region } = this.settings;
    const where = endpoint ?? 'AWS S3';
    const message = `${action} failed: ${errorMessage(error)}`;
    switch (name) {
      case 'NoSuchBucket':
        return settingError('backup.bucket', `there is no bucket "${bucket}" at ${where}: create it, or set the bucket that keeps backups`, error);
      case 'InvalidAccessKeyId':
        return secretError(BACKUP_SECRETS.accessKeyId, `${message} (${where} knows no such ${BACKUP_SECRETS.accessKeyId.label}; store the right one)`, error);
      case 'SignatureDoesNotMatch':
        return secretError(BACKUP_SECRETS.secretAccessKey, `${message} (the ${BACKUP_SECRETS.secretAccessKey.label} does not match the access key id; store the right one)`, error);
      case 'AccessDenied':
      case 'Forbidden':
        return secretError(BACKUP_SECRETS.accessKeyId, `${message} (the access key may not use bucket "${bucket}"; store a key that may, or change the bucket's policy)`, error);
      case 'AuthorizationHeaderMalformed':
      case 'PermanentRedirect':
      case 'IllegalLocationConstraintException':
        return settingError('backup.region', `${message} (bucket "${bucket}" is in another region than "${region}")`, error);
      case 'NoSuchKey':
      case 'NotFound':
        return new SwarmError('INSTANCE_NOT_FOUND', message, { cause: error });
    }
    if ($metadata?.httpStatusCode === undefined) {
      return new SwarmError('PROVIDER_UNAVAILABLE', `${message}. Check remoteSwarm.backup.endpoint (${where}) and the network.`, {
        details: { field: 'backup.endpoint' },
        remedy: { kind: 'setting', setting: 'backup.endpoint' },
        cause: error,
      });
    }
    return new SwarmError('OPERATION_FAILED', message, { cause: error });
  }
}

/** The stream cut into parts of `size` bytes (the last one shorter). */
async function* partsOf(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of body) {
    let rest = chunk as Buffer;
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

function cancelled(action: string): SwarmError {
  return new SwarmError('OPERATION_CANCELLED', `${action} was cancelled.`);
}
