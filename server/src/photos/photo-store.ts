import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Photos on disk under DATA_DIR/photos, named by the sha256 of their (stripped) bytes. */
export class PhotoStore {
  constructor(private readonly dataDir: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a content hash');
    return path.resolve(this.dataDir, 'photos', sha256.slice(0, 2), sha256);
  }

  /** Writes atomically (temp file + rename); the same bytes land on the same file. */
  async save(bytes: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha256);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, target);
    return sha256;
  }
}
