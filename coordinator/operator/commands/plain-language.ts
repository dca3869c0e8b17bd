/**
 * Plain requests the COO can answer without a model, in English, German, French and Spanish, mapped to
 * the slash command. Used when no model is configured, so an operator who writes "what's waiting for
 * me?" gets /inbox instead of "I understand commands only". Questions are scored against cue words per
 * command (not matched against whole phrases, so other phrasings of the same question still land). Only
 * read-only commands come out of here: a request to do something (send, pay, delete, remind…) is never
 * read as a question, and a sentence never becomes /approve, /reject, /cancel or /retry — whatever its
 * words, the operator decides with a button or the exact command (see decisionMentions).
 */
export interface PlainCommand {
  /** The slash command to run, e.g. "/runs failed". */
  command: string;
}

const APPROVAL_IDS = /\bapv_[a-z0-9]{6,}\b/gi;
const RUN_IDS = /\brun_[a-z0-9]{6,}\b/gi;

/** Accents and case folded, apostrophes unified, so "Qu’est-ce qui m’attend ?" matches like "qu'est-ce qui m'attend". */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`´]/g, "'")
    .toLowerCase();
}

/** Words about stopping a run or running it again, in the four languages (folded text). */
const RUN_CONTROL =
  /\b(cancel\w*|stop\w*|abort\w*|kill|halt|terminate|end it|retry\w*|try again|again|rerun|re-run|restart\w*|resum\w*|abbrech\w*|abgebrochen|stopp\w*|anhalt\w*|beend\w*|wiederhol\w*|nochmal|noch mal|erneut|neu start\w*|annul\w*|arret\w*|relanc\w*|reessa\w*|recommenc\w*|redemarr\w*|deten\w*|parar|para(lo|la)|reintent\w*|reinici\w*|otra vez|de nuevo)\b/;

/** A whole message that only says yes or no (or approve/reject with nothing to say what), in the four languages. */
const BARE_ANSWER =
  /^(please |bitte |por favor )?(yes|yeah|yep|yup|sure|ok|okay|k|no|nope|nah|go|go ahead|do it|approve|approved|reject|decline|ja|jo|jep|klar|genau|passt|einverstanden|genehmigen|freigeben|ablehnen|nein|oui|ouais|d'accord|ok d'accord|approuver|rejeter|non|si|vale|claro|de acuerdo|aprobar|rechazar)( please| bitte| s'il te plait| s'il vous plait| por favor)?$/;

/**
 * What a sentence says about decisions, for the one rule that governs them: a sentence never decides,
 * cancels or retries. The approvals and runs it names (the caller answers with their buttons), whether
 * it uses words about stopping or re-running, and whether it is a bare yes or no (an answer to the last
 * question, which gets that question's buttons again).
 */
export interface DecisionMentions {
  approvalIds: string[];
  runIds: string[];
  runControl: boolean;
  bareAnswer: boolean;
}

export function decisionMentions(text: string): DecisionMentions {
  const folded = fold(text.trim().normalize('NFC'));
  const ids = (re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[0].toLowerCase()))];
  const bare = folded.replace(/[\s!.?,;:¡¿]+/g, ' ').trim();
  return { approvalIds: ids(APPROVAL_IDS), runIds: ids(RUN_IDS), runControl: RUN_CONTROL.test(folded), bareAnswer: BARE_ANSWER.test(bare) };
}

/**
 * A request to do something (send, pay, delete, remind, approve…) is never read as a question: without a
 * model it gets the commands hint, not a listing that might look like it was done.
 */
const ACTION =
  /^\s*(please\s+)?(approve|reject|accept|decline|cancel|stop|send|pay|transfer|delete|remove|erase|wipe|forget|remind|schedule|book|create|start|email|call|write|reply|confirm)\b|\b(delete|remove|erase|wipe|drop|send|pay|transfer|ignore (your|all|the|previous)|loschen|losch\w*|loesch\w*|senden|schick\w*|bezahl\w*|uberweis\w*|supprim\w*|envoy\w*|payer|borra\w*|elimin\w*|envia\w*|pagar|paga|pague)\b/;

/** Question intents, each a few cue patterns (folded text) in the four languages; the best-scoring wins. */
const INTENTS: Array<{ command: string; cues: RegExp[] }> = [
  {
    command: '/runs failed',
    cues: [
      /\b(fail\w*|went wrong|gone wrong|go wrong|goes wrong|break|breaks|broke\w*|crash\w*|errors?|error(ed|ing)?( out)?|problems?|issues?|trouble|stuck|hung|hanging|sideways|glitch\w*|hiccups?|went bad|blew up|blow(n)? up|blows up|fell over|falls over)\b/,
      /\b(fehlgeschlagen\w*|gescheitert\w*|schief\w*|fehler\w*|kaputt|probleme?|hangt|haengt|hangen|fest ?gefahren|steckt fest|feststeck\w*|storung\w*|stoerung\w*|abgebrochen|abgesturzt|absturz\w*|abgeschmiert)\b/,
      /\b(echou\w*|echec\w*|erreurs?|plante\w*|problemes?|bloque\w*|coince\w*|en panne|soucis?|plantages?)\b/,
      /\b(fallo|fallaron|fallado|fallid\w*|fallan|falla|errores|problemas?|atascad\w*|bloquead\w*|colgad\w*|salio mal|salieron mal)\b/,
    ],
  },
  {
    command: '/inbox',
    cues: [
      /\b(approv\w*|sign(ed)? off|sign-off|decide|decisions?|pending|outstanding|waiting|wait(s|ing)? (on|for) me|to[- ]do|inbox|incidents?|escalat\w*|for me|my (ok|okay|go|attention|input|approval|decision|sign-off))\b/,
      /\bneeds? (me|my|to be (approved|decided|signed|reviewed))\b|\b(i|we) (need|have|should|must|ought) to (approve|decide|sign|check|look at|review)\b|\bon my (plate|desk|list)\b|\b(from me|on me|blocked|my turn|needs doing|to be done|for review|to review|needs review)\b|\b(i|we) (should|must|need to|have to) sign\b|\bsign\b.*\?/,
      /\b(freigeb\w*|freigabe\w*|genehmig\w*|entscheid\w*|wartet|warten|offen\w*|steht (\w+ )?an|ansteh\w*|fur mich|bei mir|von mir|muss ich|soll ich|posteingang|unterschreib\w*|unterzeichn\w*|zu erledigen|erledigen)\b/,
      /\b(approuv\w*|valider|validation|decider|decisions?|en attente|m'attend|attend|pour moi|a faire|dois|signer|a traiter|en suspens|besoin de moi|de ma part)\b/,
      /\b(aprobar|aprobacion\w*|pendiente\w*|decidir|decisiones|me espera|esperando|para mi|por hacer|que hacer|tengo que|debo|bandeja|firmar|revisar|(algo|nada) de mi|de mi parte)\b/,
    ],
  },
  {
    command: '/costs',
    cues: [
      /\b(costs?|costing|spend\w*|spent|budgets?|money|expens\w*|bill(ed|s)?|burn\w*|usage|tokens?)\b/,
      /\b(kosten|kostet|gekostet|ausgaben|ausgegeben|budget|verbraucht|verbrauch)\b/,
      /\b(couts?|coute\w*|depens\w*|budget|consomm\w*)\b/,
      /\b(costes?|costos?|costado|cuesta\w*|cuestan|gastado|gastos?|gastamos|presupuesto|consumid\w*|consumo)\b/,
    ],
  },
  {
    command: '/runs',
    cues: [
      /\b(runs?|ran|jobs?|activity|history|been doing|been up to|did you do|have you done|you did|what happened|worked on|get done|got done)\b/,
      /\b(laufe|laeufe|gelaufen|gemacht|erledigt|aktivitat\w*|verlauf|passiert)\b/,
      /\b(executions?|execute\w*|activite\w*|historique|passe aujourd'hui|s'est passe|as-tu fait|avez-vous fait|tu as fait)\b/,
      /\b(ejecucion\w*|ejecutad\w*|actividad\w*|historial|paso hoy|ha pasado|has hecho|hiciste)\b/,
    ],
  },
  {
    command: '/status',
    cues: [
      /\b(status|overview|summary|dashboard|health|queues?|going on|how (is|are) (everything|things|it|we|stuff)|how'?s (it|everything|things)|how (is|are) (it|things|everything) (going|running|doing)|rundown|recap|briefing|sitrep|big picture|overall picture|the picture|what'?s new|whats up|what'?s up|any updates?|an update|catch me up|state of (things|play|affairs))\b/,
      /\b(wie (lauft|laeuft|steht|geht)|lage|uberblick|ueberblick|zusammenfassung|zustand|neues|neuigkeiten|stand der dinge|was ist los|wie sieht('?s| es) aus)\b/,
      /\b(etat|statut|ou en est|le point|comment (ca|cela|tout) (va|se passe|marche|tourne)|apercu|resume|bilan|quoi de neuf|du nouveau|nouvelles|recap\w*|se presente)\b/,
      /\b(estado|como (esta|va|van|anda|marcha)|resumen|situacion|de nuevo|novedad\w*|al dia|que tal|como vamos|como va todo)\b/,
    ],
  },
  {
    command: '/help',
    cues: [
      /^\s*(help|hilfe|aide|ayuda|\?)\b|\b(help|hilfe|aide|ayuda)\s*[?!.]*$|\b(i'?m|i am) (lost|confused|stuck on how)\b|\b(what can (you|i)|how do (i|you)|(which|what) commands|list of commands|commands?)\b/,
      /\b(befehle|was kann(st)? (ich|du)|wie funktioniert)\b/,
      /\b(commandes?|que (peux|puis)[- ](tu|je)|comment (utiliser|ca marche))\b/,
      /\b(comandos?|que (puedo|puedes)|como funciona)\b/,
    ],
  },
  {
    // Which processes there are (`/run` alone lists them); last, so a tie ("which processes ran", "how do I start a process?") goes to the listing of runs or to help.
    command: '/run',
    cues: [
      /\b(process(es)?|workflows?|automations?|playbooks?|prozesse?|ablaufe|automatisierung\w*|processus|automatisation\w*|procesos?|flujos?( de trabajo)?|automatizacion\w*)\b/,
      /\b(can|could) (you|i|we) (run|start|launch)\b|\b(kannst du|kann ich) (\w+ )?(starten|ausfuhren)\b|\b(peux-tu|puis-je) (lancer|executer)\b|\b(puedes|puedo) (ejecutar|lanzar|iniciar)\b/,
    ],
  },
];

/** "What do you know about Acme?": the name after the phrase, in the original spelling. */
const ABOUT = /(?:know|knows|info|information|anything|something|notes?|history|on file|details|remember|recall)\s+(?:about|on(?!\s+file)|with)\s+(.+?)[\s?.!]*$|(?:we|you)\s+(?:got|have)\s+on\s+(?!(?:the|my|our|today|tomorrow|this|that)\b)(.+?)[\s?.!]*$|(?:erinnerst du dich an|erinnern wir uns an)\s+(.+?)[\s?.!]*$|(?:te souviens-tu d[e']|tu te (?:souviens|rappelles) d[e']|vous souvenez-vous d[e'])\s*(.+?)[\s?.!]*$|(?:recuerdas|recuerda usted|recordamos)\s+(?:de|sobre|a|acerca de)?\s*(.+?)[\s?.!]*$|(?:tell me about|who is|who'?s)\s+(.+?)[\s?.!]*$|(?:weiss?t du|weißt du|wissen wir|infos?|informationen)\s+(?:u(?:e)?ber|zu)\s+(.+?)[\s?.!]*$|(?:wer ist)\s+(.+?)[\s?.!]*$|(?:sais-tu|savez-vous|sait-on|infos?|informations)\s+(?:sur|de|du|a propos de)\s+(.+?)[\s?.!]*$|(?:qui est)\s+(.+?)[\s?.!]*$|(?:sabes|sabe usted|sabemos|informacion|info)\s+(?:de|sobre|del|acerca de)\s+(.+?)[\s?.!]*$|(?:quien es)\s+(.+?)[\s?.!]*$/;

function aboutName(original: string, folded: string): string | null {
  const m = ABOUT.exec(folded);
  const g = m?.slice(1).find((x) => x);
  if (!m || !g) return null;
  const at = m.index + m[0].indexOf(g);
  const name = (original.length === folded.length ? original.slice(at, at + g.length) : g).trim();
  return name && name.length <= 80 && /\p{L}/u.test(name) ? name : null;
}

/** The slash command a plain request means, or null when it is not one the COO can answer without a model. */
export function plainToCommand(text: string): PlainCommand | null {
  const original = text.trim().normalize('NFC');
  if (!original || original.length > 500) return null;
  const folded = fold(original);
  if (ACTION.test(folded)) return null;
  const name = aboutName(original, folded);
  if (name) return { command: `/memory ${name}` };
  // The intent with the most cues; on a tie the earlier one (a failure outranks a listing).
  let best: { command: string; score: number } | null = null;
  for (const intent of INTENTS) {
    const score = intent.cues.filter((c) => c.test(folded)).length;
    if (score > 0 && (!best || score > best.score)) best = { command: intent.command, score };
  }
  return best ? { command: best.command } : null;
}
