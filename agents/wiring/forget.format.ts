import type { ForgetPreview, ForgetReport } from '../../memory/index.ts';


/**
 * The /forget preview: every entity it would erase (same name, any kind, any legal form) and every
 * place with how many values hold the subject now. It names the subject: the erasure that follows
 * redacts this message too.
 */
export function formatForgetPreview(p: ForgetPreview): string {
  const who = p.entities.length ? p.entities.map((e) => `${e.name} (${e.kind})`).join(', ') : `no entity called "${p.name}", only mentions of the name`;
  const places = Object.entries(p.places).map(([k, n]) => `  ${k}: ${n}`);
  return [
    `/forget erases ${who}, with the e-mail addresses and phone numbers I keep for them, everywhere:`,
    ...places,
    'Names are replaced by "[forgotten]" where the record stays (runs, chat, other customers\' records); what is about them alone is deleted. It cannot be undone.',
  ].join('\n');
}

/** The receipt: per place, before → after. It never names the subject (it is stored after the erasure). */
export function formatForgetReceipt(r: ForgetReport): string {
  const kinds = r.entities.map((e) => e.kind);
  const left = Object.values(r.places).reduce((a, p) => a + p.after, 0);
  return [
    `Forgotten: ${r.entities.length ? `${r.entities.length} ${r.entities.length === 1 ? 'entity' : 'entities'} (${kinds.join(', ')})` : 'every mention of the name'}. Values holding them, before → after:`,
    ...Object.entries(r.places).filter(([, p]) => p.before > 0 || p.after > 0).map(([k, p]) => `  ${k}: ${p.before} → ${p.after}`),
    left === 0 ? 'Nothing is left.' : `${left} values could not be erased; run /forget again, or see the logs.`,
  ].join('\n');
}
