/**
 * Plain requests the COO can answer without a model, in English, German, French and Spanish, mapped to
 * the slash command. Used when no model is configured, so an operator who writes "what's waiting for
 * me?" gets /inbox instead of "I understand commands only". Questions are scored against cue words per
 * command (not matched against whole phrases, so other phrasings of the same question still land);
 * decisions need the approval or run id spelled out, and a request to do something (send, pay,
 * delete, remind…) is never read as a question: nothing here guesses an action.
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

/** Decisions and control: only with an explicit id, so nothing is decided that the operator did not name. */
const DECISIONS: Rule[] = [
  { test: /\b(approve|approved|accept|yes|ok|okay|go ahead|genehmig\w*|freigeben|akzeptier\w*|ja|approuv\w*|accept\w*|oui|aprueb\w*|aprob\w*|acept\w*|si)\b/, to: (o) => withId('/approve', APPROVAL_ID, o, true) },
  { test: /\b(reject|rejected|decline|deny|no|ablehn\w*|nein|refus\w*|rejet\w*|non|rechaz\w*|deneg\w*)\b/, to: (o) => withId('/reject', APPROVAL_ID, o, true) },
  { test: /\b(retry|try again|rerun|re-run|wiederhol\w*|nochmal|erneut|reessay\w*|relanc\w*|reintent\w*|reintenta\w*)\b/, to: (o) => withId('/retry', RUN_ID, o, false) },
  { test: /\b(cancel|stop|abort|abbrech\w*|stopp\w*|annul\w*|arret\w*|cancel\w*|deten\w*)\b/, to: (o) => withId('/cancel', RUN_ID, o, true) },
];

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
  for (const rule of DECISIONS) {
    if (!rule.test.test(folded)) continue;
    const command = rule.to(original, folded);
    if (command) return { command };
  }
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
