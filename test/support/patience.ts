/**
 * How long a test waits for a condition before it fails, naming what it waited for. Generous on purpose:
 * the suite must hold on a loaded 2-core machine, and a condition that holds returns at once anyway, so
 * patience costs nothing when things work. Durations are never asserted; bench/ measures them.
 */
export const PATIENCE_MS = 60_000;
