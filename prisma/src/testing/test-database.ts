import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createDatabase,
  dropDatabase,
  errorCode,
  requireDatabaseName,
  withDatabase,
} from '../migrations/postgres.ts';

/** A fresh database cloned from the migrated template; drop it when the test file is done. */
export async function createTestDatabase(
  templateUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const template = requireDatabaseName(templateUrl);
  const url = withDatabase(templateUrl, `test_${process.pid}_${randomBytes(4).toString('hex')}`);
  for (let attempt = 1; ; attempt++) {
    try {
      await createDatabase(url, { template });
      break;
    } catch (error) {
      // 55006: someone is connected to the template; 3D000: another test run is swapping
      // in a rebuilt template right now. Both pass within moments.
      const transient = errorCode(error) === '55006' || errorCode(error) === '3D000';
      if (!transient || attempt === 10) throw error;
      await sleep(100 * attempt);
    }
  }
  return { url, drop: () => dropDatabase(url) };
}
