import type { DoctorCheck } from './doctor.ts';

/** `coo doctor`'s perception line: the tfjs backend chosen at start, the ViT in use, the OCR languages. */
export async function perceptionDoctorProbe(): Promise<DoctorCheck> {
  try {
    const { describeBackend, perceptionConfigFromEnv } = await import('../../perception/index.ts');
    const d = await describeBackend(perceptionConfigFromEnv());
    return { name: 'perception', ok: !d.model.startsWith('unavailable'), detail: `tfjs backend ${d.tfjs.backend}; model ${d.model}; OCR languages ${d.ocr.languages.join('+')}` };
  } catch (err) {
    return { name: 'perception', ok: false, detail: `cannot start: ${(err as Error).message}` };
  }
}
