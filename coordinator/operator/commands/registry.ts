import { UserInputError } from '../../errors.ts';
import type { OutboundMessageInput } from '../message.ts';

export interface CommandInvocation {
  /** Everything after the command word, trimmed. */
  args: string;
  actor: string;
  surface: string;
  /**
   * Stable across redeliveries of the operator's request: a command with effects makes them idempotent
   * on it (a run started under it, a decision recorded with it), because the work may be done again
   * after a crash between the effect and the request's receipt.
   */
  requestKey?: string;
}

export interface CommandDefinition<C> {
  name: string;
  usage: string;
  summary: string;
  /** Longer help shown by /help <name>: what it does, examples. */
  help: string;
  /**
   * True (or true for these arguments) when running the command changes nothing. Only such commands
   * may run on a plain-language reading of a sentence: a sentence never decides, cancels, retries or
   * starts anything. Left out means the command changes something.
   */
  readOnly?: boolean | ((args: string) => boolean);
  run(inv: CommandInvocation, ctx: C): Promise<OutboundMessageInput>;
}

/** Whether this command, with these arguments, only reads (see CommandDefinition.readOnly). */
export function isReadOnly<C>(def: CommandDefinition<C>, args: string): boolean {
  return typeof def.readOnly === 'function' ? def.readOnly(args) : def.readOnly === true;
}

/** A slash-command router; later layers (memory, budgets) register their own commands on it. */
export class CommandRouter<C> {
  private readonly commands = new Map<string, CommandDefinition<C>>();

  register(...defs: CommandDefinition<C>[]): this {
    for (const d of defs) this.commands.set(d.name, d);
    return this;
  }

  list(): CommandDefinition<C>[] {
    return [...this.commands.values()];
  }

  get(name: string): CommandDefinition<C> | undefined {
    return this.commands.get(name.toLowerCase());
  }

  /** Parses "/name args" (also "/name@botname args" as Telegram sends in groups). */
  static parse(text: string): { name: string; args: string } | null {
    const m = /^\/([a-zA-Z][\w-]*)(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
    return m ? { name: m[1].toLowerCase(), args: (m[2] ?? '').trim() } : null;
  }

  async dispatch(text: string, inv: Omit<CommandInvocation, 'args'>, ctx: C): Promise<OutboundMessageInput> {
    const parsed = CommandRouter.parse(text);
    if (!parsed) throw new UserInputError('malformed_command', `I couldn't read that command. Commands look like /status or /run <process>. Try /help.`);
    const def = this.get(parsed.name);
    if (!def) {
      const near = this.list().map((c) => c.name).filter((n) => n.startsWith(parsed.name.slice(0, 2)));
      throw new UserInputError('unknown_command', `There is no /${parsed.name} command.${near.length ? ` Did you mean ${near.map((n) => `/${n}`).join(' or ')}?` : ''} Try /help.`);
    }
    return def.run({ ...inv, args: parsed.args }, ctx);
  }
}

/** Splits "word rest of line" for commands that take an id then free text. */
export function firstWord(args: string): [string, string] {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(args.trim());
  return m ? [m[1], m[2].trim()] : ['', ''];
}
