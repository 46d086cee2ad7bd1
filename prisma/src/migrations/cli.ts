import { DatabaseUnreachableError } from './postgres.ts';
import { MigrationError } from './runner.ts';

/** A mistake in how a CLI was called or configured. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs a CLI's main function; expected failures print one line instead of a stack trace. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const expected =
      error instanceof DatabaseUnreachableError ||
      error instanceof MigrationError ||
      error instanceof UsageError;
    console.error(expected ? error.message : error);
    process.exitCode = 1;
  });
}
