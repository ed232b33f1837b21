import { join, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { LocalStorage } from './local-storage.ts';
import { S3Storage } from './s3-storage.ts';
import type { FileStorage } from './storage.ts';

/** The backend the configuration selects: STORAGE=local (UPLOAD_DIR, default $DATA_DIR/uploads) or s3. */
export function createStorage(config: Config): FileStorage {
  if (config.STORAGE === 's3') {
    if (!config.S3_BUCKET) throw new Error('S3_BUCKET is required when STORAGE=s3');
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
