/**
 * Plain requests the COO can answer without a model: common phrasings (English, German, French,
 * Spanish) of what the slash commands do, mapped to the command. Used when no model is configured, so an
 * operator who writes "what's waiting for me?" gets /inbox instead of "I understand commands only".
 * Only reading commands and decisions that name their approval or run id: nothing here guesses an
 * action the operator did not spell out.
 */
export interface PlainCommand {
  /** The slash command to run, e.g. "/runs failed". */
  command: string;
}

const APPROVAL_ID = /\b(apv_[a-z0-9]{6,})\b/i;
const RUN_ID = /\b(run_[a-z0-9]{6,})\b/i;

/** Accents and case folded, apostrophes unified, so "Qu’est-ce qui m’attend ?" matches like "qu'est-ce qui m'attend". */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`´]/g, "'")
    .toLowerCase();
}

/** Reason text after an id: "approve apv_x because the price is right" → "the price is right". */
function reasonAfter(text: string, id: string): string {
  const rest = text.slice(text.indexOf(id) + id.length).replace(/^[\s,:;.-]*(because|since|weil|da|car|parce que|porque|reason:?|grund:?)?\s*/i, '').trim();
  return rest ? ` ${rest}` : '';
}

function withId(command: string, re: RegExp, original: string, reason: boolean): string | null {
  const id = re.exec(original)?.[1];
  return id ? `${command} ${id}${reason ? reasonAfter(original, id) : ''}` : null;
}

interface Rule {
  /** Tested on the folded text. */
  test: RegExp;
  /** Builds the command; ids and names are taken from the original text. */
  to(original: string, folded: string): string | null;
}

/** The original spelling of what `re` matched as group 1 in the folded text (same length, see fold). */
function captured(re: RegExp, original: string, folded: string): string | null {
  const m = re.exec(folded);
  if (!m?.[1]) return null;
  if (original.length !== folded.length) return m[1];
  const at = m.index + m[0].indexOf(m[1]);
  return original.slice(at, at + m[1].length);
}

const RULES: Rule[] = [
  // Decisions: only with an explicit approval id.
  { test: /\b(approve|approved|accept|yes|ok|okay|go ahead|genehmig\w*|freigeben|akzeptier\w*|ja|approuv\w*|accept\w*|oui|aprueb\w*|aprob\w*|acept\w*|si)\b/, to: (o) => withId('/approve', APPROVAL_ID, o, true) },
  { test: /\b(reject|rejected|decline|deny|no|ablehn\w*|nein|refus\w*|rejet\w*|non|rechaz\w*|deneg\w*)\b/, to: (o) => withId('/reject', APPROVAL_ID, o, true) },
  { test: /\b(retry|try again|rerun|re-run|wiederhol\w*|nochmal|erneut|reessay\w*|relanc\w*|reintent\w*|reintenta\w*)\b/, to: (o) => withId('/retry', RUN_ID, o, false) },
  { test: /\b(cancel|stop|abort|abbrech\w*|stopp\w*|annul\w*|arret\w*|cancel\w*|deten\w*)\b/, to: (o) => withId('/cancel', RUN_ID, o, true) },
  // What waits for the operator.
  {
    test: /\b(waiting|wait for me|pending|inbox|to approve|to decide|needs? (me|my)|for me to|my (approval|decision)s?|incidents?|anything for me|my attention|to[- ]?do|open (approvals|questions)|steht (\w+ )?an|zu tun|dois (valider|approuver|decider)|fur mich|a faire|a valider|pour moi|para mi|por hacer|que hacer|wartet|warten|offen\w*|freigaben?|posteingang|en attente|m'attend|a valider|a approuver|a decider|pendiente\w*|por aprobar|me espera|esperando|bandeja)\b/,
    to: () => '/inbox',
  },
  // Runs.
  { test: /\b(fail\w*|broke\w*|error\w*|fehlgeschlagen\w*|gescheitert\w*|fehler\w*|echou\w*|erreur\w*|fallid\w*|fallo\w*|errores)\b.*\b(runs?|jobs?|process\w*|laeufe?|laufe?|prozess\w*|executions?|ejecucion\w*|procesos?)\b|\b(runs?|jobs?|laeufe?|laufe?|executions?|ejecuciones)\b.*\b(fail\w*|fehlgeschlagen\w*|echou\w*|fallid\w*)\b/, to: () => '/runs failed' },
  { test: /\b(recent|latest|last|show|list)\b.*\bruns?\b|\bwhat ran\b|\bletzte\w* (laeufe|runs)\b|\bdernieres executions\b|\bultimas ejecuciones\b/, to: () => '/runs' },
  // Status.
  { test: /\b(status|how are (we|things)|what'?s going on|overview|dashboard|queues?|wie steht|uberblick|ueberblick|lage|etat|ou en est|apercu|estado|resumen|como va)\b/, to: () => '/status' },
  // Processes.
  { test: /\b(which|what) (processes|workflows)\b|\bprocess(es)? (can|do) (you|i)\b|\bwelche prozesse\b|\bquels processus\b|\bque procesos\b/, to: () => '/run' },
  // Spend.
  { test: /\b(cost|costs|spend|spent|spending|budget|kosten|ausgaben|couts?|depenses?|gastos?|costes?)\b/, to: () => '/costs' },
  // What the COO knows about someone: needs a name after the phrase.
  {
    test: /\b(what do (you|we) know about|tell me about|who is|was weiss?t du u(e)?ber|was weißt du u(e)?ber|wer ist|que sais-tu (de|sur)|qui est|que sabes de|quien es)\b/,
    to: (o, f) => {
      const name = captured(/(?:know about|tell me about|who is|weiss?t du u(?:e)?ber|weißt du u(?:e)?ber|wer ist|sais-tu (?:de|sur)|qui est|sabes de|quien es)\s+(.+?)[\s?.!]*$/, o, f);
      return name ? `/memory ${name.trim()}` : null;
    },
  },
  // Help.
  { test: /^\s*(help|hilfe|aide|ayuda|\?)\s*[?!.]*\s*$|\b(what can you do|how do i use|was kannst du|que peux-tu faire|que puedes hacer)\b/, to: () => '/help' },
];

/** The slash command a plain request means, or null when it is not one the COO can answer without a model. */
export function plainToCommand(text: string): PlainCommand | null {
  const original = text.trim().normalize('NFC');
  if (!original || original.length > 500) return null;
  const folded = fold(original);
  for (const rule of RULES) {
    if (!rule.test.test(folded)) continue;
    const command = rule.to(original, folded);
    if (command) return { command };
  }
  return null;
}
