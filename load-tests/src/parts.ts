/** Which parts of `npm run bench` run (BENCH_ONLY). Pure. */

/**
 * `intake` covers the socket swarm, memory per idle socket and the intake
 * scenario (they share the sockets); `timers` is timer lateness with many
 * pending deadlines; `race` is the accept race; `frames` the dispatcher
 * map's frame times in Chromium under 5,000 tickets and 2,000 moving people; `pages` the initial
 * JavaScript of each web page (builds the web app when it is not built); `nearest` the
 * nearest qualified volunteers among 100,000 in Redis GEO (needs Redis only); `offers`
 * volunteer offer push latency and accepts under contention.
 */
export const PARTS = [
  'pages',
  'lookup',
  'nearest',
  'floor',
  'intake',
  'frames',
  'timers',
  'race',
  'offers',
] as const;
export type Part = (typeof PARTS)[number];

/** Parts that need the server and workers running. */
export const SYSTEM_PARTS: readonly Part[] = ['intake', 'frames', 'timers', 'race', 'offers'];

/**
 * Parses BENCH_ONLY: a comma- or space-separated list of parts (any case);
 * empty or absent means every part. Throws on an unknown name.
 */
export function parseParts(raw: string | undefined): Set<Part> {
  const names = (raw ?? '')
    .split(/[\s,]+/)
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return new Set(PARTS);
  const parts = new Set<Part>();
  for (const name of names) {
    const part = PARTS.find((candidate) => candidate === name);
    if (!part) throw new Error(`unknown part "${name}" (parts: ${PARTS.join(', ')})`);
    parts.add(part);
  }
  return parts;
}

/** The parts in their running order, for printing. */
export function orderedParts(parts: ReadonlySet<Part>): Part[] {
  return PARTS.filter((part) => parts.has(part));
}
