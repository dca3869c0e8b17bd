import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAiLayer, type AiLayer, type AiLayerOptions } from '../agents/index.ts';
// The layer alone: perception itself (tfjs, tesseract, pdfjs: ~3 s of a worker's ~8 s start-up, measured)
// loads on the first document, so processes and commands that never read one start fast.
import { createPerceptionLayer } from '../perception/coordinator/perception.layer.ts';
import { builtInConnectors, type ConnectorBus, createConnectorLayer } from '../connectors/index.ts';
import { type Coordinator, type CoordinatorOptions, type ProcessDefinition, createCoordinator } from '../coordinator/index.ts';

export interface CompositionOptions extends CoordinatorOptions {
  /** Modules whose exported process definitions are registered too (crash tests, operator add-ons). */
  processModules?: string[];
  /** For the AI layer: a one-shot CLI command turns background vector upkeep off. */
  ai?: AiLayerOptions;
}

/** Loads every `defineProcess` export of the given modules. */
export async function loadProcessModules(paths: string[]): Promise<ProcessDefinition<any>[]> {
  const defs: ProcessDefinition<any>[] = [];
  for (const p of paths) {
    const mod = (await import(pathToFileURL(resolve(p)).href)) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      if (v && typeof v === 'object' && 'steps' in v && 'start' in v && 'name' in v) defs.push(v as ProcessDefinition<any>);
    }
  }
  return defs;
}

/**
 * The one COO every door opens: the coordinator with the AI layer (free text, budgets, memory commands,
 * its processes), perception (document intake) and the integration bus (connectors) plugged in. `coo start`, the web console, the chat
 * surfaces and every `coo` command build it here, so they know the same commands and processes: a
 * run started by the server can be replayed from the CLI, `coo say /memory` is the console's /memory.
 * Nothing starts here (no workers, no loops, no HTTP): the caller decides (coordinator.start()).
 */
export async function composeCoordinator(opts: CompositionOptions = {}): Promise<{ coordinator: Coordinator; ai: AiLayer; connectors: ConnectorBus }> {
  const { processModules, ai: aiOptions, ...coordinatorOptions } = opts;
  const processes = [...(opts.processes ?? []), ...(await loadProcessModules(processModules ?? []))];
  const ai = createAiLayer(aiOptions);
  // Perception: files sent on any surface start a document-intake run; its step runs on the perception queue.
  const perception = createPerceptionLayer(async () => {
    const p = await import('../perception/index.ts');
    return p.createPerception(p.perceptionConfigFromEnv());
  });
  // The integration bus: its inbound-item process, and its health figures on /status and /metrics.
  const connectorLayer = createConnectorLayer(builtInConnectors);
  const coordinator = await createCoordinator({
    ...coordinatorOptions,
    processes: [...ai.processes, ...perception.processes, ...connectorLayer.processes, ...processes],
    services: { ...ai.services, ...perception.services, ...connectorLayer.services, ...opts.services },
    handlers: { ...ai.handlers, ...perception.handlers, ...opts.handlers },
    agentConcurrency: { ...ai.agentConcurrency, ...opts.agentConcurrency },
  });
  try {
    await ai.attach(coordinator);
  } catch (err) {
    await coordinator.stop().catch(() => {});
    throw err;
  }
  perception.attach(coordinator);
  const connectors = connectorLayer.attach(coordinator);
  const stopCoordinator = coordinator.stop.bind(coordinator);
  coordinator.stop = async () => {
    await stopCoordinator();
    await perception.close();
  };
  return { coordinator, ai, connectors };
}
