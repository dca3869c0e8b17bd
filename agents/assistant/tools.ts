import { z } from 'zod';

/**
 * How much a tool changes the world. Only `read` runs directly. `world` is anything with an effect
 * outside the conversation (sends, pays, deletes, starts a process, schedules a reminder): it goes
 * through an approval unless the operator has allowed that tool (`/allow`). There is no middle kind:
 * a reminder that carries an attacker's IBAN to the operator later is an effect too.
 */
export type ToolEffect = 'read' | 'world';

export interface ToolCallContext {
  actor: string;
  surface: string;
  /** Files the operator sent with the message (for "the PDF I just sent"). */
  files: Array<{ name: string; path?: string; mimeType: string }>;
}

export interface AssistantTool<A = any> {
  name: string;
  description: string;
  args: z.ZodType<A>;
  effect: ToolEffect;
  /** For `world` tools: the process the action belongs to (the allow-list key). */
  processOf?(args: A): string;
  /** One sentence for the approval question, e.g. "Start invoice intake for invoice-114.pdf". */
  describe(args: A): string;
  run(args: A, ctx: ToolCallContext): Promise<unknown>;
}

/** The coordinator's commands as tools; the composition root implements it over the coordinator's API. */
export interface AssistantTools {
  list(): AssistantTool[];
}

/** Approvals for world-changing tool calls; the coordinator backs it with durable approvals. */
export interface ActionGate {
  /** True only when the operator explicitly allowed this tool (for this process, or for every process). */
  isAllowed(process: string, tool: string): Promise<boolean>;
  /** Asks the operator; `runId` is the run that holds the approval, when the gate knows it. */
  requestApproval(req: { tool: string; args: unknown; summary: string; process: string; actor: string; surface: string }): Promise<{ approvalId: string | null; runId?: string | null; text: string }>;
}

export function defineTool<A>(t: AssistantTool<A>): AssistantTool<A> {
  if (!/^[a-z][a-z0-9_]{1,63}$/.test(t.name)) throw new Error(`Tool name "${t.name}" must be snake_case.`);
  return t;
}
