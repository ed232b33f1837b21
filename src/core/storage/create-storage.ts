import { join, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { LocalStorage } from './local-storage.ts';
import type { FileStorage } from './storage.ts';

/**
 * The backend the configuration selects: STORAGE=local (UPLOAD_DIR, default $DATA_DIR/uploads) or
 * s3. The AWS SDK is loaded only for s3 (it costs ~20 MB of memory a local installation never uses).
 */
export async function createStorage(config: Config): Promise<FileStorage> {
  if (config.STORAGE === 's3') {
    if (!config.S3_BUCKET) throw new Error('S3_BUCKET is required when STORAGE=s3');
    const { S3Storage } = await import('./s3-storage.ts');
    return new S3Storage({
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    });
  }
  return new LocalStorage(resolve(config.UPLOAD_DIR ?? join(config.dataDir, 'uploads')));
}
