import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/**
 * Picks the tfjs backend once per process: tfjs-node-gpu (if an operator installed it and it finds a GPU),
 * tfjs-node (if installed), else wasm, else the pure-JS cpu backend. The native packages are optional and
 * imported dynamically, so nothing here needs them to exist.
 */
export type BackendPreference = 'auto' | 'node-gpu' | 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: string;
  /** Every option tried, with why it was or was not used: what `coo doctor` prints. */
  tried: { name: string; ok: boolean; note: string }[];
}

let chosen: Promise<BackendInfo> | null = null;

async function tryImport(pkg: string): Promise<string | null> {
  try {
    await import(pkg);
    return null;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return /Cannot find (package|module)/i.test(msg) ? 'not installed' : `failed to load: ${msg.split('\n')[0]}`;
  }
}

async function select(pref: BackendPreference): Promise<BackendInfo> {
  const tried: BackendInfo['tried'] = [];
  const order: BackendPreference[] = pref === 'auto' ? ['node-gpu', 'node', 'wasm', 'cpu'] : [pref, 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'node-gpu' || name === 'node') {
      const err = await tryImport(name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      if (err) {
        tried.push({ name: `tfjs-${name}`, ok: false, note: err });
        continue;
      }
      const ok = await tf.setBackend('tensorflow').catch(() => false);
      if (ok && name === 'node-gpu') {
        // tfjs-node-gpu loads without a GPU and silently runs on the CPU; say so.
        tried.push({ name: 'tfjs-node-gpu', ok: true, note: 'loaded (uses a CUDA GPU if libtensorflow finds one)' });
      } else tried.push({ name: `tfjs-${name}`, ok: !!ok, note: ok ? 'loaded' : 'backend did not initialise' });
      if (ok) return { backend: `tensorflow (tfjs-${name})`, tried };
      continue;
    }
    const before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
    const ok = await tf.setBackend(name).catch(() => false);
    if (name === 'wasm') await tf.ready().catch(() => undefined);
    dropListenersAddedSince(before);
    tried.push({ name, ok: !!ok, note: ok ? 'initialised' : 'did not initialise' });
    if (ok) {
      await tf.ready();
      return { backend: name, tried };
    }
  }
  throw new Error('no tfjs backend could be initialised');
}

/**
 * The wasm backend's Emscripten runtime registers process-wide `uncaughtException`/`unhandledRejection`
 * handlers that rethrow, turning any stray rejection in the host (the coordinator's worker) into a crash with a
 * minified dump. The host owns its error policy, so those handlers are removed again.
 */
function dropListenersAddedSince(before: { u: Function[]; r: Function[] }): void {
  for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.removeListener('uncaughtException', l as (e: Error) => void);
  for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.removeListener('unhandledRejection', l as (r: unknown) => void);
}

/** Selects (once) and returns the backend; later calls reuse the first choice. */
export function ensureBackend(pref: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (!chosen) {
    chosen = select(pref);
    chosen.catch(() => {
      chosen = null;
    });
  }
  return chosen;
}
