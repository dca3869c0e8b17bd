import { expect } from 'vitest';
import { type Coordinator, foldEvents, type RunEventRecord } from '../../coordinator/index.ts';

/** A run's event log as the fold reads it. */
export async function runEvents(c: Coordinator, runId: string): Promise<RunEventRecord[]> {
  return (await c.runs.events(runId)).map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data }) as RunEventRecord);
}

/** The run's log, after checking that it is gapless and that the run row is exactly its fold. */
export async function consistentLog(c: Coordinator, runId: string): Promise<RunEventRecord[]> {
  const events = await runEvents(c, runId);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const run = (await c.runs.get(runId))!;
  expect(foldEvents(events)).toEqual({ status: run.status, currentStep: run.currentStep, stepSeq: run.stepSeq, attempt: run.attempt, seq: run.seq, error: run.error, state: run.state });
  return events;
}
