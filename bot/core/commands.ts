/**
 * The COO's commands as the chat menus show them (Telegram's command menu, Slack's `/coo` help). The
 * coordinator parses and answers them; surfaces only normalise the platform's syntax to "/name args".
 */
export const COMMANDS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'help', description: 'What I can do' },
  { name: 'status', description: 'How the business is running' },
  { name: 'runs', description: 'Recent runs' },
  { name: 'run', description: 'Start a process: /run <process> [input]' },
  { name: 'inbox', description: 'Open approvals' },
  { name: 'approve', description: 'Approve: /approve <id>' },
  { name: 'reject', description: 'Reject: /reject <id> [reason]' },
  { name: 'retry', description: 'Retry a failed run: /retry <run id>' },
  { name: 'cancel', description: 'Cancel a run: /cancel <run id>' },
  { name: 'pair', description: 'Pair this chat: /pair <code>' },
];

const NAMES = new Set(COMMANDS.map((c) => c.name));

/** "/status@my_bot now" → "/status now" (Telegram adds the bot's name in groups). */
export function normalizeTelegramText(text: string): string {
  return text.replace(/^\/([A-Za-z0-9_]+)@[A-Za-z0-9_]+/, '/$1');
}

/** The text after `/coo` (Slack): "status" → "/status", "" → "/help", anything else is free text for the COO. */
export function slashCooToText(text: string): string {
  const t = text.trim();
  if (t === '') return '/help';
  const [first, ...rest] = t.split(/\s+/);
  const name = first.replace(/^\//, '').toLowerCase();
  if (NAMES.has(name)) return [`/${name}`, ...rest].join(' ');
  return t;
}

/** "/pair ABCD-EFGH", "/start ABCDEFGH" (Telegram deep links) or "pair ABCD-EFGH": the code, else null. */
export function pairingCodeIn(text: string): string | null {
  const m = /^\/?(?:pair|start)\s+([A-Za-z0-9]{4}[- ]?[A-Za-z0-9]{4})\s*$/i.exec(text.trim());
  return m ? m[1] : null;
}
