/**
 * The text of an approval for an action the assistant proposed. The operator decides on what is
 * shown, so it shows everything the action will use: recipients, amounts, IBANs and addresses first
 * and marked, then every argument in full. Long values are wrapped onto more lines, never cut (the
 * chat surfaces page a long message into several); invisible characters are shown as their code
 * points, so nothing can hide a recipient behind padding, a bidi override or a zero-width space.
 * Pure (no I/O): the assistant-action process renders it from the very arguments it will run with.
 */

export interface ApprovalCardInput {
  tool: string;
  args: unknown;
  summary: string;
  process: string;
}

const WRAP = 72;
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u3164\uFFA0]/gu;
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b/gi;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const AMOUNT = /(?:[€$£¥]|\b(?:EUR|USD|GBP|CHF|JPY)\b)\s?\d[\d.,' ]*\d|\b\d[\d.,']*\d?\s?(?:[€$£¥]|(?:EUR|USD|GBP|CHF|JPY|euros?|dollars?|pounds?)\b)/giu;
const ADDRESS = /[\p{L}.-]*(?:straße|strasse|str\.|street|st\.|road|rd\.|avenue|ave\.|weg|gasse|platz|allee|rue|calle|avenida|via)\s*\d+[a-z]?(?:[,\s]+\d{4,5}\s+[\p{L}-]+)?|\b\d{4,5}\s+\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?/giu;
/** Argument names whose whole value is a recipient, an amount or an account. */
const KEY_KIND: Array<[RegExp, string]> = [
  [/^(to|cc|bcc|recipients?|email|emails|address(es)?|payee|beneficiary|creditor|phone)$/i, 'RECIPIENT'],
  [/^(iban|bic|swift|account|account_?number)$/i, 'IBAN/ACCOUNT'],
  [/^(amount|total|price|sum|value|fee|currency)$/i, 'AMOUNT'],
];

/** Shows a value as it is, with invisible and control characters made visible instead of hidden. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`).replace(CONTROL, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Every leaf of the arguments with its path ("input.to", "items[2].amount"), in order. */
function leaves(value: unknown, path = ''): Array<{ path: string; value: string }> {
  if (value === null || value === undefined) return [{ path: path || '(arguments)', value: String(value) }];
  if (Array.isArray(value)) return value.length ? value.flatMap((v, i) => leaves(v, `${path}[${i}]`)) : [{ path: path || '(arguments)', value: '[]' }];
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? entries.flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k)) : [{ path: path || '(arguments)', value: '{}' }];
  }
  return [{ path: path || '(arguments)', value: String(value) }];
}

/** What a person must check before saying yes: recipients, IBANs, amounts and addresses, wherever they hide. */
export function keyFields(args: unknown): Array<{ kind: string; value: string; path: string }> {
  const out: Array<{ kind: string; value: string; path: string }> = [];
  const seen = new Set<string>();
  const add = (kind: string, value: string, path: string) => {
    const v = value.trim();
    const key = `${kind}|${v.toLowerCase()}|${path}`;
    if (v && !seen.has(key)) (seen.add(key), out.push({ kind, value: v, path }));
  };
  for (const leaf of leaves(args)) {
    const name = leaf.path.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
    const byKey = KEY_KIND.find(([re]) => re.test(name));
    if (byKey) add(byKey[1], leaf.value, leaf.path);
    // Look-alike digits and letters (full-width, mathematical) are folded first, so they are found too.
    const text = leaf.value.normalize('NFKC').replace(INVISIBLE, '');
    for (const m of text.matchAll(IBAN)) if (/\d/.test(m[0].slice(4))) add('IBAN', m[0], leaf.path);
    for (const m of text.matchAll(EMAIL)) add('RECIPIENT', m[0], leaf.path);
    for (const m of text.matchAll(AMOUNT)) add('AMOUNT', m[0], leaf.path);
    for (const m of text.matchAll(ADDRESS)) add('ADDRESS', m[0], leaf.path);
  }
  const order = ['RECIPIENT', 'IBAN', 'IBAN/ACCOUNT', 'AMOUNT', 'ADDRESS'];
  return out.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** Wraps a value onto lines of at most `WRAP` characters (at spaces when it can), keeping every character. */
export function wrap(text: string, width = WRAP): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    let rest = raw;
    while (rest.length > width) {
      const at = rest.lastIndexOf(' ', width);
      const cut = at > width / 3 ? at + 1 : width;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    lines.push(rest);
  }
  return lines;
}

/** The approval question for a proposed action: what to check first, then every argument in full. */
export function approvalCard(a: ApprovalCardInput): string {
  const keys = keyFields(a.args);
  const lines = [`The assistant wants to: ${visible(a.summary)}`];
  if (keys.length) {
    lines.push('', '‼ CHECK FIRST — recipients, IBANs, amounts and addresses in this action:');
    for (const k of keys) lines.push(`‼ ${k.kind}: ${visible(k.value)}   (in ${k.path})`);
  }
  lines.push('', `Every argument of ${a.tool} (${a.process}), in full:`);
  for (const leaf of leaves(a.args)) {
    const v = visible(leaf.value);
    if (v.length <= WRAP && !v.includes('\n')) lines.push(`• ${leaf.path}: ${v}`);
    else {
      const w = wrap(v);
      lines.push(`• ${leaf.path} (${[...leaf.value].length} characters, ${w.length} lines):`, ...w.map((l) => `    ${l}`));
    }
  }
  lines.push('', `Allow it? (Only you can allow this; "/allow ${a.process} ${a.tool}" lets it run without asking next time.)`);
  return lines.join('\n');
}
