import type { CommandDefinition, Coordinator, OutboundMessageInput } from '../../coordinator/index.ts';
import { UserInputError } from '../../coordinator/index.ts';
import type { ConnectorDefinition } from './connector.define.ts';
import { rawItem, retryItem, skipItem } from './quarantine.ts';

/** The buttons an unreadable item's notice carries; each runs an /item command. */
export function itemButtons(incidentId: string): OutboundMessageInput['buttons'] {
  return [[
    { label: 'Retry', style: 'primary', action: { type: 'command', text: `/item retry ${incidentId}` } },
    { label: 'Skip', style: 'default', action: { type: 'command', text: `/item skip ${incidentId}` } },
    { label: 'Show raw', style: 'default', action: { type: 'command', text: `/item raw ${incidentId}` } },
  ]];
}

/** /item retry|skip|raw <incident>: what the operator does with an item a connector could not read. */
export function itemCommand(coordinator: Coordinator, connectors: Map<string, ConnectorDefinition<any, any>>): CommandDefinition<unknown> {
  return {
    name: 'item',
    usage: '/item retry|skip|raw <incident-id>',
    summary: 'Retry, skip or show an item a connector could not read',
    help: 'An item that did not fit its schema is kept raw with an incident (/inbox). /item raw <id> shows it as received, /item retry <id> reads it again (after a fix), /item skip <id> closes it without a run.',
    readOnly: (args) => args.trim().startsWith('raw'),
    async run({ args, actor }) {
      const [verb, id] = args.trim().split(/\s+/);
      if (!id || !['retry', 'skip', 'raw'].includes(verb)) throw new UserInputError('missing_argument', 'Use /item retry <incident-id>, /item skip <incident-id> or /item raw <incident-id>. /inbox lists them.');
      if (verb === 'raw') {
        const r = await rawItem(coordinator, id);
        const raw = (r.raw ?? '').slice(0, 3500);
        return { text: `${r.connector} (${r.account}) ${r.kind} ${r.externalId}, ${r.status}${r.error ? ` — ${r.error}` : ''}\nAs received${(r.raw ?? '').length > 3500 ? ' (first 3500 characters)' : ''}:\n\`\`\`\n${raw.replace(/```/g, "'''")}\n\`\`\``, format: 'markdown' };
      }
      if (verb === 'skip') {
        await skipItem(coordinator, id, actor);
        return { text: `Skipped; incident ${id} is resolved and the item stays on record as skipped.` };
      }
      const r = await retryItem(coordinator, connectors, id);
      return r.ok ? { text: `The item fits now: recorded, and run ${r.runId} started. Incident ${id} is resolved.` } : { text: `It still does not fit: ${r.error}. The incident stays open.`, buttons: itemButtons(id) };
    },
  };
}
