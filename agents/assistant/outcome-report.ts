/**
 * What the COO did in a conversation turn, stated by the system from the tool results and appended
 * after the model's text. The model's text is data too: it may have been steered by injected content
 * or may simply be wrong, so it never gets to say what was done. A sentence of it that claims an action
 * the results do not show is removed, and the report says so.
 */

export interface ReportedAction {
  tool: string;
  /** Only `world` actions (effects outside the conversation) count as things the COO did. */
  effect: 'read' | 'world';
  status: 'done' | 'pending_approval' | 'invalid' | 'failed';
  /** One line describing the action (the tool's describe()). */
  summary: string;
  /** The run it started (done) or the run that asks for the approval (pending). */
  runId?: string | null;
  error?: string;
}

/** The report's heading; lines of the model's text that imitate it are removed. */
export const REPORT_HEADING = '── What the COO did (from the tool results, not the model) ──';

const NEGATED = /\b(not|n't|never|nicht|nie|kein\w*|pas|jamais|nunca|no)\b|\bcannot\b|\bcould ?n[o']t\b/i;
const VERBS_EN = 'set|scheduled|sent|started|created|paid|transferred|deleted|forgotten|forgot|erased|booked|added|saved|approved|forwarded|emailed|wired|done|completed|executed|performed|launched|triggered|queued|submitted';
const VERBS_DE = 'gesetzt|eingerichtet|erstellt|gesendet|verschickt|geschickt|gestartet|bezahlt|überwiesen|gelöscht|angelegt|geplant|erledigt|ausgeführt|vergessen|freigegeben|genehmigt';
const VERBS_FR = 'créée?s?|programmée?s?|envoyée?s?|lancée?s?|payée?s?|effectuée?s?|supprimée?s?|définie?s?|enregistrée?s?|approuvée?s?|fait';
const VERBS_ES = 'cread[oa]s?|programad[oa]s?|enviad[oa]s?|iniciad[oa]s?|pagad[oa]s?|realizad[oa]s?|borrad[oa]s?|eliminad[oa]s?|configurad[oa]s?|aprobad[oa]s?|hecho';
const CLAIM = new RegExp(
  [
    `\\b(i|we)(?:'ve|'ll have| have| just| now| already)*\\s+(?:${VERBS_EN})\\b`,
    // Telegraphic or present-perfect ("Reminder set", "the payment has been sent"); a simple past ("was
    // paid in May") reports history from memory, not an action of this turn, and is left alone.
    `\\b(reminders?|payments?|transfers?|e-?mails?|mails?|messages?|process(?:es)?|invoices?|it|that|everything)\\s+(?:has been|have been|is|are|got|now)?\\s*(?:${VERBS_EN})\\b`,
    `^[\\s\\p{P}\\p{S}]*(?:done|all set|erledigt|c'est fait|fait|hecho|listo|ok,? (?:done|sent|set))\\b`,
    `\\b(ich habe|habe ich|ist|sind)\\b.*\\b(?:${VERBS_DE})\\b`,
    `\\b(j'ai|a été|ont été|est)\\b.*\\b(?:${VERBS_FR})\\b`,
    `\\b(he|hemos|ha sido|han sido|fue|está)\\s+(?:${VERBS_ES})\\b`,
  ]
    .join('|')
    // JavaScript's \b knows only ASCII letters ("envoyé", "überwiesen"): a Unicode word boundary instead.
    .replaceAll('\\b', '(?:(?<![\\p{L}\\p{N}_])(?=[\\p{L}\\p{N}_])|(?<=[\\p{L}\\p{N}_])(?![\\p{L}\\p{N}_]))'),
  'iu',
);
/** Which actions a claim about a kind of thing can refer to. */
const FAMILIES: Array<[RegExp, RegExp]> = [
  [/remind|erinner|rappel|recordatorio/i, /remind/i],
  [/pay|zahl|überweis|virement|paiement|pago|transfer|wire/i, /pay|transfer|wire/i],
  [/e-?mail|mail|correo|nachricht|message|mensaje/i, /mail|send|message/i],
  [/forget|forgot|vergess|oubli|olvid|delet|lösch|supprim|borr|elimin|erase/i, /forget|delete|erase|remove/i],
];

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?。])\s+|\n+/).filter((s) => s.trim());
}

/** True when a sentence of the model states that an action was carried out. */
export function claimsAction(sentence: string): boolean {
  return CLAIM.test(sentence) && !NEGATED.test(sentence);
}

/**
 * Keeps a claim only if a world action of the kind it names was done in this turn; a generic claim
 * ("Done.") only if every world action was done (and there was at least one).
 */
function supported(sentence: string, actions: ReportedAction[]): boolean {
  const world = actions.filter((a) => a.effect === 'world');
  const done = world.filter((a) => a.status === 'done');
  if (done.length === 0) return false;
  const families = FAMILIES.filter(([words]) => words.test(sentence));
  if (families.length === 0) return done.length === world.length;
  return families.every(([, tools]) => done.some((a) => tools.test(`${a.tool} ${a.summary}`)));
}

/** The model's text with imitations of the report and unsupported claims removed. */
export function screenModelText(text: string, actions: ReportedAction[]): { text: string; removed: string[] } {
  const removed: string[] = [];
  // The report's heading and its line marks, imitated by the model, would read as the system's word.
  const heading = /what the coo did|from the tool results|^\s*[✔✓✅☑⏳⌛✖✗❌⚠‼]/iu;
  const kept: string[] = [];
  for (const line of text.normalize('NFKC').split('\n')) {
    if (heading.test(line)) {
      removed.push(line.trim());
      continue;
    }
    const parts = sentences(line);
    const ok = parts.filter((s) => {
      if (claimsAction(s) && !supported(s, actions)) {
        removed.push(s.trim());
        return false;
      }
      return true;
    });
    if (ok.length || parts.length === 0) kept.push(ok.join(' '));
  }
  return { text: kept.join('\n').replace(/\n{3,}/g, '\n\n').trim(), removed };
}

/** The system's lines: what was done, what waits for approval, what failed, and what was removed. */
export function reportLines(actions: ReportedAction[], removed: string[]): string[] {
  const lines: string[] = [];
  for (const a of actions) {
    if (a.effect === 'world' && a.status === 'done') lines.push(`✔ Done: ${a.summary}${a.runId ? ` (run ${a.runId})` : ''}.`);
    else if (a.status === 'pending_approval') lines.push(`⏳ Waiting for your approval, not done yet: ${a.summary}${a.runId ? ` (run ${a.runId}; /inbox)` : ' (/inbox)'}.`);
    else if (a.status === 'failed') lines.push(`✖ Failed, not done: ${a.summary} — ${a.error ?? 'error'}.`);
    else if (a.status === 'invalid') lines.push(`✖ Not run (invalid arguments): ${a.tool} — ${a.error ?? 'invalid'}.`);
  }
  const worldTried = actions.some((a) => a.effect === 'world');
  if (removed.length) {
    lines.push(`⚠ Removed from the reply because the tool results do not show it: “${removed.join(' ').slice(0, 300)}${removed.join(' ').length > 300 ? '…' : ''}”`);
    if (!worldTried) lines.push('Nothing was done in this turn: no action was run.');
  }
  return lines;
}

/** The reply as shown: the screened model text, then the system's report, then the sources. */
export function composeReply(modelText: string, actions: ReportedAction[], sources: string[]): string {
  const { text, removed } = screenModelText(modelText, actions);
  const report = reportLines(actions, removed);
  return [text || (report.length ? '' : '(The model gave no answer.)'), ...(report.length ? [REPORT_HEADING, ...report] : []), sources.length ? `Sources: ${[...new Set(sources)].join(', ')}.` : '']
    .filter(Boolean)
    .join('\n');
}
