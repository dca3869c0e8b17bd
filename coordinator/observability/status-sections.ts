import { z } from 'zod';
import type { Logger } from '../logger.ts';

/** A table in a status section: what the status page renders, cell by cell, as text. */
export const StatusTableSchema = z.object({
  caption: z.string().optional(),
  columns: z.array(z.string()).min(1),
  rows: z.array(z.array(z.union([z.string(), z.number()]))),
});

/**
 * A block a later layer adds to the status page (/status, /api/status): the AI layer's model spend,
 * for one. Validated on the way in, since the page renders whatever a provider returns.
 */
export const StatusSectionSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
  title: z.string().min(1).max(100),
  lines: z.array(z.string()).default([]),
  tables: z.array(StatusTableSchema).default([]),
});
export type StatusSection = z.infer<typeof StatusSectionSchema>;
export type StatusSectionInput = z.input<typeof StatusSectionSchema>;

/**
 * Optional contributions, the same way the digest takes them: a service that offers
 * `statusSections()` adds its sections. The coordinator names no layer above it; the composition
 * root injects them as services. A provider that fails or returns something malformed is left out
 * (and logged) rather than breaking the page.
 */
export async function statusSections(services: Record<string, unknown>, log: Logger): Promise<StatusSection[]> {
  const out: StatusSection[] = [];
  for (const [name, s] of Object.entries(services)) {
    const f = (s as { statusSections?: () => Promise<unknown> } | null)?.statusSections;
    if (typeof f !== 'function') continue;
    try {
      out.push(...z.array(StatusSectionSchema).parse(await f.call(s)));
    } catch (err) {
      log.warn({ service: name, err: String(err) }, 'a status section provider failed; its sections are left out');
    }
  }
  return out;
}

/**
 * Prometheus lines other layers add to GET /metrics: a service offering `metricsText()` (the
 * connectors' lag and error rate). A failing provider is left out and logged, like a section.
 */
export async function serviceMetrics(services: Record<string, unknown>, log: Logger): Promise<string> {
  let out = '';
  for (const [name, s] of Object.entries(services)) {
    const f = (s as { metricsText?: () => Promise<unknown> } | null)?.metricsText;
    if (typeof f !== 'function') continue;
    try {
      const text = z.string().parse(await f.call(s));
      out += text.endsWith('\n') || !text ? text : `${text}\n`;
    } catch (err) {
      log.warn({ service: name, err: String(err) }, 'a metrics provider failed; its lines are left out');
    }
  }
  return out;
}
