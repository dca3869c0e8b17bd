import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.ts';
import { brightlinePhoto } from './support/invoice-result.ts';
import { finished, type IntakeApp, noticeText, pendingQuestion, sendFile, startIntakeApp } from './support/intake-app.ts';

// Issue 15 §1: "Needs fixing" must ask for the right value and use it; a missing field is asked for;
// the card tells the truth (reasons, failed checks). Perception is fed pre-made results (no OCR).
let app: IntakeApp;
beforeAll(async () => {
  app = await startIntakeApp();
}, 60_000);
afterAll(async () => {
  await app.close();
});

const press = (approvalId: string, option: string) => app.c.operator.handleAction({ surface: 'console', actor: 'op', payload: { type: 'decide', approvalId, option } });
const say = (text: string, replyTo?: string) => app.c.operator.handleMessage({ surface: 'console', actor: 'op', text, ...(replyTo ? { replyTo } : {}) });

async function reconciledAmount(runId: string): Promise<number> {
  const run = await finished(app, runId);
  expect(run.status).toBe('completed');
  const result = (run.state as { result: { reconciliationRun: string | null } }).result;
  expect(result.reconciliationRun).toMatch(/^run_/);
  const recon = (await app.c.runs.get(result.reconciliationRun!))!;
  return (recon.input as { amount: number }).amount;
}

/** Sends the photo and answers "Needs fixing" on the first question. */
async function fixTotal(name: string) {
  app.results.set(name, brightlinePhoto(name));
  const runId = await sendFile(app, name, `up-${name}`);
  const first = await pendingQuestion(app, runId, 'report');
  await press(first.approval.id, 'fix');
  return { runId, ask: await pendingQuestion(app, runId, 'ask') };
}

describe('a correction asks for the right value and uses it (issue 15)', () => {
  it('shows the failed sum check on the chat card and no reason that is false ("took the largest amount" for 85 when 396.27 is printed)', async () => {
    app.results.set('card.jpg', brightlinePhoto('card.jpg'));
    const runId = await sendFile(app, 'card.jpg', 'up-card');
    const report = await noticeText(app, `${runId}-report`);
    expect(report).toMatch(/Check failed: 333\.00 \+ 63\.27 ≠ 85\.00/);
    const q = await pendingQuestion(app, runId, 'report');
    expect(q.text).not.toMatch(/largest amount/);
    expect(q.text).toMatch(/total \(no total label found: the total is a guess; subtotal \+ tax/);
    await app.c.runs.cancel(runId, 'op');
  });

  it('shows a misread line item and a failed line-items sum on the chat card', async () => {
    const base = brightlinePhoto('lines.jpg', { total: 396.27 });
    base.invoice!.lineItems = [
      { ...base.invoice!.lineItems[0], description: 'Brand design', amount: 250, confidence: 0.9 },
      { ...base.invoice!.lineItems[1], description: 'Pr1nt pr00fs', amount: null, confidence: 0.3 },
    ];
    base.invoice!.checks = [{ name: 'line_items_sum', passed: false, detail: 'line items sum to 250.00, subtotal is 333.00' }];
    app.results.set('lines.jpg', base);
    const runId = await sendFile(app, 'lines.jpg', 'up-lines');
    const report = await noticeText(app, `${runId}-report`);
    expect(report).toContain('⚠ Check failed: line items sum to 250.00, subtotal is 333.00');
    expect(report).toContain('⚠ Line item 2 (“Pr1nt pr00fs”) may be misread: no amount');
    expect(report).not.toContain('Line item 1');
    await finished(app, runId);
  });

  it('offers the amounts printed in the document as one-tap answers, the arithmetic fit first, and a tap sends the corrected total on to reconciliation', async () => {
    const { runId, ask } = await fixTotal('tap.jpg');
    const labels = ask.buttons.map((b) => b.label);
    expect(labels[0]).toBe('396.27'); // 333.00 + 63.27: what the document's own sums say
    expect(labels).not.toContain('85.00'); // the value the operator just said is wrong
    expect(labels.at(-1)).toBe('Skip (not reconciled)');
    expect(ask.text).toMatch(/the total was read as 85\.00\. What is the right total\?/);
    expect(ask.text).toMatch(/Or reply to this message with the right total/);
    await press(ask.approval.id, ask.buttons[0].action.option);
    expect(await reconciledAmount(runId)).toBe(396.27);
    const result = ((await app.c.runs.get(runId))!.state as { result: { fields: { total: number }; corrections: unknown[] } }).result;
    expect(result.fields.total).toBe(396.27);
    expect(result.corrections).toEqual([{ field: 'total', from: 85, to: 396.27, via: 'choice' }]);
    expect(await noticeText(app, `${runId}-corrected`)).toBe('Corrected tap.jpg: total 85.00 → 396.27. Reconciling it now.');
    // Accepted, the invoice goes into memory with the corrected amount and the correction itself.
    const recon = ((await app.c.runs.get(runId))!.state as { result: { reconciliationRun: string } }).result.reconciliationRun;
    const review = await pendingQuestion(app, recon, 'review');
    await press(review.approval.id, 'accept');
    const episode = await waitFor('the invoice in memory', () => app.env.tdb.db.memoryEpisode.findFirst({ where: { runId: recon, kind: 'invoice' } }), 30_000, 100);
    expect(episode.data).toMatchObject({ amount: 396.27, corrections: [{ field: 'total', from: 85, to: 396.27, via: 'choice' }] });
    expect(episode.content).toMatch(/Corrected by the operator: total 85 → 396\.27\./);
  });

  it.each([
    ['396,27', 396.27, 'a'],
    ['€ 396.27', 396.27, 'b'],
    ['396.27 EUR', 396.27, 'c'],
    ['EUR 396,27', 396.27, 'd'],
  ])('takes a typed value ("%s") as the reply to the question, validated, and uses it', async (typed, amount, id) => {
    const name = `typed-${id}.jpg`;
    const { runId, ask } = await fixTotal(name);
    const r = await say(typed, ask.messageId);
    expect(r.reply!.body.text).toBe(`Got it: ${amount.toFixed(2)}. Run ${runId} continues.`);
    expect(await reconciledAmount(runId)).toBe(amount);
    const result = ((await app.c.runs.get(runId))!.state as { result: { corrections: Array<{ via: string }> } }).result;
    expect(result.corrections[0].via).toBe('typed');
  });

  it('refuses a typed reply that is not an amount, and the question stays open', async () => {
    const { runId, ask } = await fixTotal('bad-typed.jpg');
    const r = await say('about four hundred', ask.messageId);
    expect(r.reply!.body.kind).toBe('error');
    expect(r.reply!.body.text).toMatch(/is not an amount\. Reply with the right total/);
    expect((await app.env.tdb.db.approval.findUniqueOrThrow({ where: { id: ask.approval.id } })).status).toBe('pending');
    await say('396.27', ask.messageId);
    expect(await reconciledAmount(runId)).toBe(396.27);
  });

  it('re-checks a typed value against the other fields and asks again, with the mismatch and a way to keep it', async () => {
    const { runId, ask } = await fixTotal('recheck.jpg');
    await say('400', ask.messageId);
    const again = await waitForSecondAsk(runId, ask.approval.id);
    expect(again.text).toMatch(/the total was given as 400\.00, but subtotal \+ tax \(333\.00 \+ 63\.27 = 396\.27\) is not the total 400\.00/);
    expect(again.buttons.map((b) => b.label)).toContain('Keep 400.00');
    await press(again.approval.id, again.buttons.find((b) => b.label === 'Keep 400.00')!.action.option);
    expect(await reconciledAmount(runId)).toBe(400);
  });

  it('asks for a field the invoice lacks instead of silently not reconciling it', async () => {
    app.results.set('no-number.jpg', brightlinePhoto('no-number.jpg', { number: null, total: 396.27 }));
    const runId = await sendFile(app, 'no-number.jpg', 'up-no-number');
    const ask = await pendingQuestion(app, runId, 'ask');
    expect(ask.text).toMatch(/the invoice number was not found in the document\. What is the right invoice number\?/);
    expect(ask.buttons.map((b) => b.label)).toContain('2026-118');
    await say('2026-118', ask.messageId);
    await reconciledAmount(runId);
    const recon = await app.env.tdb.sql<{ input: { invoiceNumber: string } }>("SELECT input FROM run WHERE process = 'invoice-reconciliation' AND parent_key = $1", [`${runId}-reconcile-reconcile`]);
    expect(recon[0].input.invoiceNumber).toBe('2026-118');
  });

  it('says so when a missing field is skipped: the invoice is not reconciled and the operator is told why', async () => {
    app.results.set('skip.jpg', brightlinePhoto('skip.jpg', { vendor: null, total: 396.27 }));
    const runId = await sendFile(app, 'skip.jpg', 'up-skip');
    const ask = await pendingQuestion(app, runId, 'ask');
    await press(ask.approval.id, 'skip');
    const run = await finished(app, runId);
    expect((run.state as { result: { reconciliationRun: null } }).result.reconciliationRun).toBeNull();
    expect(await noticeText(app, `${runId}-corrected`)).toMatch(/Not reconciled: the invoice has no vendor\./);
  });

  it('asks again when a typed currency is not a currency code, and takes one that is', async () => {
    app.results.set('no-cur.jpg', brightlinePhoto('no-cur.jpg', { currency: null, total: 396.27 }));
    const runId = await sendFile(app, 'no-cur.jpg', 'up-no-cur');
    const ask = await pendingQuestion(app, runId, 'ask');
    expect(ask.text).toMatch(/Or reply to this message with the right currency \(e\.g\. EUR\)\./);
    await say('Euros', ask.messageId);
    const again = await waitForSecondAsk(runId, ask.approval.id);
    expect(again.text).toMatch(/the currency was given as “Euros”, which is not a three-letter currency code\./);
    await say('eur', again.messageId);
    await reconciledAmount(runId);
    const recon = await app.env.tdb.sql<{ input: { currency: string } }>("SELECT input FROM run WHERE process = 'invoice-reconciliation' AND parent_key = $1", [`${runId}-reconcile-reconcile`]);
    expect(recon[0].input.currency).toBe('EUR');
  });

  it('takes a typed date in the forms people type, as an ISO date', async () => {
    app.results.set('no-date.jpg', brightlinePhoto('no-date.jpg', { issueDate: null, total: 396.27 }));
    const runId = await sendFile(app, 'no-date.jpg', 'up-no-date');
    const ask = await pendingQuestion(app, runId, 'ask');
    const r = await say('5.12.2026', ask.messageId);
    expect(r.reply!.body.text).toMatch(/^Got it: 2026-12-05\./);
    await reconciledAmount(runId);
  });

  it('takes a typed value that replies, on a chat platform, to the delivered copy of the question (a part of a split message too)', async () => {
    const { runId, ask } = await fixTotal('platform-reply.jpg');
    await app.c.operator.recordDelivery({ messageId: ask.messageId, surface: 'telegram', chatId: '1001', externalId: '555#a1,556#b2', status: 'sent' });
    // Another message comes in between, so only the reply itself can tie the value to the question.
    await app.c.operator.post({ text: 'Something else happened.', kind: 'notice' });
    const reply = (text: string, to: string, chatId = '1001') => app.c.operator.handleMessage({ surface: 'telegram', chatId, actor: 'op', text, replyToExternalId: to });
    await reply('396.27', '556', '2002'); // the same message id in another chat is another message
    await reply('396.27', '55'); // a prefix of the id is not the id
    expect((await app.env.tdb.db.approval.findUniqueOrThrow({ where: { id: ask.approval.id } })).status).toBe('pending');
    expect((await reply('396.27', '556')).reply!.body.text).toBe(`Got it: 396.27. Run ${runId} continues.`);
    expect(await reconciledAmount(runId)).toBe(396.27);
  });

  it('never takes a typed value as an answer to anything but the question that asked for it', async () => {
    const { runId, ask } = await fixTotal('not-a-reply.jpg');
    // A later message from the COO (another document's report) comes in between: "396.27" is not a reply to the question.
    await app.c.operator.post({ text: 'Something else happened.', kind: 'notice' });
    await say('396.27');
    expect((await app.env.tdb.db.approval.findUniqueOrThrow({ where: { id: ask.approval.id } })).status).toBe('pending');
    // A reply to a message that asked nothing decides nothing either.
    const notice = await app.c.operator.post({ text: 'Another notice.', kind: 'notice' });
    await say('396.27', notice.id);
    expect((await app.env.tdb.db.approval.findUniqueOrThrow({ where: { id: ask.approval.id } })).status).toBe('pending');
    await app.c.runs.cancel(runId, 'op');
  });
});

/** The question asked after the first one was answered (the first is no longer pending). */
async function waitForSecondAsk(runId: string, firstId: string) {
  const q = await pendingQuestion(app, runId, 'ask');
  expect(q.approval.id).not.toBe(firstId);
  return q;
}
