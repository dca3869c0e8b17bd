import { z } from 'zod';
import { defineConnector } from '../bus/connector.define.ts';

/** A form submission as processes see it: which form, its fields as text, who sent it. */
export const FormSubmissionSchema = z
  .object({
    id: z.string().min(1).max(200),
    form: z.string().min(1).max(200),
    submittedAt: z.string().datetime({ offset: true }).optional(),
    email: z.string().email().nullish(),
    fields: z.record(z.string().max(200), z.union([z.string().max(20_000), z.number(), z.boolean(), z.null()])),
  })
  .transform((f) => ({
    submissionId: f.id,
    form: f.form,
    submittedAt: f.submittedAt ? new Date(f.submittedAt).toISOString() : null,
    email: f.email ?? null,
    fields: Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k, v === null ? '' : String(v)])),
  }));
export type FormSubmission = z.output<typeof FormSubmissionSchema>;

/** Form submissions (a website's contact or order form), received on POST /hooks/forms. */
export const formsConnector = defineConnector({
  name: 'forms',
  version: 1,
  normalize: { 'form.submission': { version: 1, schema: FormSubmissionSchema, process: 'inbound-item' } },
});
