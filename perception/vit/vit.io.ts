import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * File IO for tfjs layers models without tfjs-node (whose `file://` handler is unavailable here): writes and
 * reads the standard layers format (model.json + one weights.bin), so models converted elsewhere load too.
 */
export function dirSaveHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    await mkdir(dir, { recursive: true });
    const bin = 'weights.bin';
    const json = {
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      generatedBy: 'solo-coo scripts/train-vit.ts',
      convertedBy: null,
      weightsManifest: [{ paths: [bin], weights: artifacts.weightSpecs }],
    };
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const data = artifacts.weightData as ArrayBuffer;
    await writeFile(join(dir, bin), Buffer.from(data));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
  });
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
}

/** Reads a layers-format model.json and all the weight shards it lists, relative to its folder. */
export function dirLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as ModelJson;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(await readFile(join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return { modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format };
    },
  };
}
