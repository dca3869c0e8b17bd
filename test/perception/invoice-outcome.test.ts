import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brightlinePhoto } from './support/invoice-result.ts';
import { finished, type IntakeApp, noticeText, pendingQuestion, sendFile, startIntakeApp } from './support/intake-app.ts';

// Issue 15 §1: after Accept/Reject on an invoice the operator is told what happened; a duplicate's
// card does not offer Accept as its primary button.
let app: IntakeApp;
beforeAll(async () => {
  app = await startIntakeApp();
}, 60_000);
afterAll(async () => {
  await app.close();
});

const press = (approvalId: string, option: string) => app.c.operator.handleAction({ surface: 'console', actor: 'op', payload: { type: 'decide', approvalId, option } });

/** Sends a correctly read Brightline invoice; returns its reconciliation run. */
async function sendInvoice(name: string, over: Parameters<typeof brightlinePhoto>[1] = {}): Promise<string> {
  app.results.set(name, brightlinePhoto(name, { total: 396.27, ...over }));
  const runId = await sendFile(app, name, `up-${name}`);
  const run = await finished(app, runId);
  const recon = (run.state as { result: { reconciliationRun: string | null } }).result.reconciliationRun;
  expect(recon).toMatch(/^run_/);
  return recon!;
}

describe('the operator is told what became of an invoice (issue 15)', () => {
  it('says what was recorded after Accept, with the due date as a day', async () => {
    const recon = await sendInvoice('first.jpg');
    // An unknown vendor is flagged, so the operator is asked.
    const q = await pendingQuestion(app, recon, 'review');
    expect(q.buttons[0]).toMatchObject({ label: 'Accept', style: 'primary' });
    await press(q.approval.id, 'accept');
    expect(await noticeText(app, `${recon}-outcome`)).toBe('Recorded: Brightline Studio invoice 2026-118, 396.27 EUR, due 4 Jan 2027.');
    expect((await finished(app, recon)).status).toBe('completed');
  });

  it('offers Reject as the primary button of a duplicate ("do not pay twice"), and says it was not recorded', async () => {
    const recon = await sendInvoice('again.jpg');
    const q = await pendingQuestion(app, recon, 'review');
    expect(q.text).toMatch(/do not pay twice/);
    expect(q.buttons.map((b) => [b.label, b.style])).toEqual([
      ['Reject (duplicate)', 'primary'],
      ['Accept anyway', 'danger'],
    ]);
    await press(q.approval.id, 'reject');
    expect(await noticeText(app, `${recon}-outcome`)).toBe('Rejected: Brightline Studio invoice 2026-118, 396.27 EUR — not recorded (a duplicate of one already recorded).');
    expect(((await finished(app, recon)).state as { result: { accepted: boolean } }).result.accepted).toBe(false);
  });

  it('says a duplicate accepted anyway was recorded, and that it was flagged', async () => {
    const recon = await sendInvoice('third.jpg');
    const q = await pendingQuestion(app, recon, 'review');
    await press(q.approval.id, 'accept');
    expect(await noticeText(app, `${recon}-outcome`)).toBe('Recorded: Brightline Studio invoice 2026-118, 396.27 EUR, due 4 Jan 2027. It was flagged as a duplicate; you accepted it anyway.');
  });

  it('says what was recorded for an invoice without a due date, too', async () => {
    const recon = await sendInvoice('no-due.jpg', { vendor: 'Northwind Print', number: '2026-200', dueDate: null, total: 120, subtotal: 100, tax: 20 });
    const q = await pendingQuestion(app, recon, 'review');
    await press(q.approval.id, 'accept');
    expect(await noticeText(app, `${recon}-outcome`)).toBe('Recorded: Northwind Print invoice 2026-200, 120.00 EUR.');
  });
});
