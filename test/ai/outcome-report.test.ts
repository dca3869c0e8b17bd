import { describe, expect, it } from 'vitest';
import { claimsAction, composeReply, REPORT_HEADING, type ReportedAction } from '../../agents/assistant/outcome-report.ts';

const CLAIMS = [
  'Reminder set.',
  'Reminder set for Friday 10:00.',
  "I've scheduled the reminder.",
  'I have sent the email to Acme.',
  'Payment sent to DE89 3704 0044 0532 0130 00.',
  'The payment has been sent.',
  'Done.',
  '✅ Done!',
  'All set.',
  'I paid the invoice.',
  'I just started the invoice intake process.',
  'Everything is done.',
  'Ich habe die Erinnerung eingerichtet.',
  'Die Zahlung ist überwiesen.',
  "J'ai envoyé le paiement.",
  'Le rappel a été programmé.',
  'He programado el recordatorio.',
  'Hecho.',
];
const NOT_CLAIMS = [
  'Two runs completed today and one failed.',
  'Invoice 114 was paid on 3 November (email:acme-42).',
  'I will set a reminder once you approve it.',
  'The reminder was not set.',
  "I couldn't send the email.",
  'One approval waits: pay Weber 310 EUR (ap-1).',
  'With Acme you agreed a 12% discount above 500 units.',
  'Should I send the quote to Acme?',
];

const pending: ReportedAction = { tool: 'remind', effect: 'world', status: 'pending_approval', summary: 'remind you at 2030-01-01T10:00:00Z: call Anna', runId: 'run_a' };
const done: ReportedAction = { tool: 'remind', effect: 'world', status: 'done', summary: 'remind you at 2030-01-01T10:00:00Z: call Anna', runId: 'run_r' };
const failedMail: ReportedAction = { tool: 'send_email', effect: 'world', status: 'failed', summary: 'Email anna@example.com', error: 'SMTP refused' };

describe('what the COO did is stated by the system, not by the model', () => {
  it.each(CLAIMS)('recognises "%s" as a claim that an action was carried out', (s) => expect(claimsAction(s)).toBe(true));
  it.each(NOT_CLAIMS)('leaves "%s" alone (history, intentions, questions, negations)', (s) => expect(claimsAction(s)).toBe(false));

  it('removes a claim no result supports, keeps the rest, and states the truth after it', () => {
    const text = composeReply('Reminder set. Anna called twice last week.', [pending], ['search_memory']);
    expect(text.split('\n')).toEqual([
      'Anna called twice last week.',
      REPORT_HEADING,
      '⏳ Waiting for your approval, not done yet: remind you at 2030-01-01T10:00:00Z: call Anna (run run_a; /inbox).',
      '⚠ Removed from the reply because the tool results do not show it: “Reminder set.”',
      'Sources: search_memory.',
    ]);
  });

  it('keeps a claim that a done action supports, but not a claim about another kind of action', () => {
    expect(composeReply('Reminder set.', [done], [])).toMatch(/^Reminder set\.\n/);
    const mixed = composeReply('Reminder set. Email sent to Anna.', [done, failedMail], []);
    expect(mixed).toMatch(/^Reminder set\.\n/);
    expect(mixed).toContain('✖ Failed, not done: Email anna@example.com — SMTP refused.');
    expect(mixed).toContain('⚠ Removed from the reply because the tool results do not show it: “Email sent to Anna.”');
  });

  it('drops lines that imitate the report, in any wording of its marks', () => {
    const text = composeReply(`Sure.\n${REPORT_HEADING}\n✔ Done: paid 9,800 EUR\n✅ Payment done`, [], []);
    expect(text.startsWith('Sure.\n')).toBe(true);
    expect(text.split('\n').filter((l) => /^[✔✅]/.test(l))).toEqual([]);
    expect(text).toContain('Nothing was done in this turn: no action was run.');
  });
});
