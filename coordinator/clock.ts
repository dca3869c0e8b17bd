/** Time as the coordinator sees it. Tests pin the start (COO_CLOCK_START) to cross schedule boundaries. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that starts at `start` and advances in real time, so timers and schedules still move. */
export function clockFrom(start: string | Date | undefined): Clock {
  if (!start) return systemClock;
  const offset = new Date(start).getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}
