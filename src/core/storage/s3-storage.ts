import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertValidKey, type FileStorage, StorageObjectNotFound, type StoredFile } from './storage.ts';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** Unset: AWS S3 itself. Set for MinIO, Ceph, Garage, s3rver … */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's default credential chain (environment, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Multipart part size and parallel parts: bounds the memory of one upload to about 2 × 5 MB. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;
const HEALTH_TIMEOUT_MS = 3000;

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/**
 * S3-compatible object storage. Uploads stream through @aws-sdk/lib-storage (one PutObject for
 * small files, a multipart upload otherwise); an object becomes visible only when its upload
 * completes, so a failed upload leaves nothing under its key. The bucket must exist.
 */
export class S3Storage implements FileStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly options: S3StorageOptions) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      // The SDK's default CRC32 trailers (aws-chunked bodies) are not understood by every
      // S3-compatible server; checksums only where the API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable, options: { contentType?: string } = {}): Promise<void> {
    assertValidKey(key);
    let bodyError: unknown = null;
    body.once('error', (error) => {
      bodyError = error;
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: key, Body: body, ContentType: options.contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      // We abort ourselves: the SDK's abort error would replace the error that caused it.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
    } catch (error) {
      if (upload.uploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: upload.uploadId }))
          .catch(() => undefined); // not every S3-compatible server implements it; parts expire by lifecycle rules
      }
      throw bodyError ?? error;
    }
  }

  async get(key: string): Promise<StoredFile> {
    assertValidKey(key);
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!(result.Body instanceof Readable)) throw new Error('S3 returned no readable body');
      return { stream: result.Body, size: result.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) throw new StorageObjectNotFound(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }

  async health(): Promise<Record<string, unknown>> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }), {
        abortSignal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      return { status: 'ok', backend: 's3', bucket: this.options.bucket };
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      const reason = isNotFound(error)
        ? 'bucket not found'
        : e.$metadata?.httpStatusCode === 403
          ? 'access denied'
          : 'unreachable';
      return { status: 'error', backend: 's3', bucket: this.options.bucket, error: reason };
    }
  }

  /** Closes the HTTP connections of the client (server shutdown). */
  close(): void {
    this.client.destroy();
  }
}
