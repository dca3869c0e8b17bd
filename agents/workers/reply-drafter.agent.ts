import { z } from 'zod';
import { combinedProvenance } from '../../memory/index.ts';
import { defineAgent, type AgentContext } from '../define-agent.ts';

export const ReplyDraftInput = z.object({
  customer: z.object({ name: z.string().min(1), email: z.string().optional() }),
  message: z.object({ from: z.string(), subject: z.string().default(''), body: z.string().max(50_000) }),
  operatorName: z.string().default('the team'),
});
export type ReplyDraftInput = z.infer<typeof ReplyDraftInput>;

export const ReplyDraft = z.object({
  subject: z.string().min(1).max(300),
  body: z.string().min(1).max(8_000),
  confidence: z.number().min(0).max(1),
  /** Points the operator should check before approving (prices, promises, anything uncertain). */
  checks: z.array(z.string()).max(10),
});
export type ReplyDraft = z.infer<typeof ReplyDraft>;

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/g;

/**
 * Drafts a customer reply from the message, the customer's memory and the operator's past approved
 * replies. A draft is never sent by this agent: sending is a separate, approved step.
 */
export const replyDrafter = defineAgent({
  name: 'reply-drafter',
  description: 'Drafts a customer reply from the message, their memory and past approved replies',
  input: ReplyDraftInput,
  output: ReplyDraft,
  tier: 'fast',
  // Each job holds one model call; a customer's reply is rarely urgent to the second.
  concurrency: 4,
  minConfidence: 0.6,
  tokenBudget: 1_500,
  confidence: (o) => o.confidence,
  system:
    'You draft email replies for a one-person business, in the operator\'s voice and in the language of the customer\'s message. ' +
    'Be brief and concrete. Use the customer memory and the past approved replies for facts and tone; never invent prices, dates or promises that are not in them — ' +
    'list anything the operator must confirm under "checks". Return JSON: {subject, body, confidence (0..1), checks}.',
  task: (i, q) => `Draft a reply to the message below from the customer ${q(i.customer.name)}, signed by ${q(i.operatorName)}.`,
  async context(i, { memory, meta }): Promise<AgentContext> {
    const sections: AgentContext['sections'] = [];
    const query = `${i.message.subject}\n${i.message.body}`.slice(0, 2_000);
    // Past approved replies do not depend on who wrote: that search starts at once, alongside the
    // entity lookup; the customer's facts and history follow the lookup, together.
    const quiet = <T>(p: Promise<T>) => (p.catch(() => {}), p); // awaited below; a failure must not surface as an unhandled rejection first
    const priorP = quiet(memory.retrieve({ query, kinds: ['reply_approved'], k: 2, tokenBudget: 450, agent: 'reply-drafter', runId: meta?.runId }));
    const historyOf = (entityId: string) => quiet(memory.retrieve({ query, entityId, k: 3, tokenBudget: 400, kinds: ['message', 'outcome', 'note'], agent: 'reply-drafter', runId: meta?.runId }));
    // A customer seen before: their history is read alongside the lookup (which brings their facts),
    // for the id the name resolved to last time; the lookup decides, and a different answer reads again.
    const hint = memory.entityIdHint(i.customer.name);
    const guessed = hint ? historyOf(hint) : null;
    const [entity] = await memory.findEntitiesWithFacts(i.customer.name);
    const facts = entity?.facts ?? [];
    const [hist, prior] = await Promise.all([entity ? (guessed && entity.id === hint ? guessed : historyOf(entity.id)) : Promise.resolve(null), priorP]);
    // Each section is fenced unless every record in it came from the operator (provenance on the record).
    if (entity?.summary) sections.push({ name: `what we know about ${entity.name}`, text: entity.summary, priority: 2, provenance: combinedProvenance([{ provenance: entity.summaryProvenance }]) });
    if (facts.length) sections.push({ name: 'facts', text: facts.map((f) => `${f.key}: ${f.value} (source ${f.source})`).join('\n'), priority: 2, provenance: 'untrusted' });
    if (hist?.items.length) sections.push({ name: 'related history', text: hist.items.map((h) => `[${h.occurredAt.toISOString().slice(0, 10)} ${h.kind}] ${h.title} ${h.content}`).join('\n'), priority: 4, provenance: combinedProvenance(hist.items) });
    if (prior.items.length) sections.push({ name: 'past replies the operator approved', text: prior.items.map((h) => h.content).join('\n---\n'), priority: 3, provenance: combinedProvenance(prior.items) });
    sections.push({ name: `message from ${i.message.from}`, text: `Subject: ${i.message.subject}\n\n${i.message.body}`, priority: 1, provenance: 'untrusted', required: true });
    const retrievalIds = [hist?.retrievalId, prior.retrievalId].filter((x): x is string => !!x);
    return { sections, entityIds: entity ? [entity.id] : [], retrievalIds, facts: { entityName: entity?.name ?? null } };
  },
  template: (i) => ({
    subject: i.message.subject ? `Re: ${i.message.subject.replace(/^re:\s*/i, '')}` : 'Re: your message',
    body: `Hi ${i.customer.name.split(' ')[0]},\n\nthank you for your message. I'm looking into it and will get back to you shortly.\n\nBest regards,\n${i.operatorName}`,
    confidence: 0,
    checks: ['Template draft (no model configured): write the actual answer before sending.'],
  }),
  /** Policy: a draft may only mention the customer's own address; anything else is flagged for the operator. */
  finalize: (i, o) => {
    const allowed = new Set([i.customer.email, i.message.from].filter(Boolean).map((x) => x!.toLowerCase()));
    const foreign = [...new Set((o.body.match(EMAIL) ?? []).map((x) => x.toLowerCase()).filter((x) => !allowed.has(x)))];
    return foreign.length ? { ...o, confidence: Math.min(o.confidence, 0.3), checks: [...o.checks, `Mentions addresses that are not the customer's: ${foreign.join(', ')}`].slice(0, 10) } : o;
  },
});
