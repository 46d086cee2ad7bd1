import type { ImportProblem } from '@gridline/core';
import { t, type MessageKey } from '$lib/i18n/index.ts';

/** A problem of the region import in the current language. */
export function problemText(problem: ImportProblem): string {
  return t(`admin.problem.${problem.kind}` as MessageKey, {
    other: problem.other ?? '',
    area: problem.areaM2 === undefined ? '' : problem.areaM2.toLocaleString(),
  });
}

/** The message of a failed call, for the UI. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
