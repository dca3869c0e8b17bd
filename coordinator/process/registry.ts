import { UserInputError } from '../errors.ts';
import type { ProcessDefinition } from './define.ts';

/**
 * All process versions this deployment knows. Starting a run uses the latest version; a run already
 * under way keeps resolving to the version it started with, so changing a process never breaks it.
 */
export class ProcessRegistry {
  private readonly byName = new Map<string, Map<number, ProcessDefinition<any>>>();

  register(...defs: ProcessDefinition<any>[]): this {
    for (const def of defs) {
      const versions = this.byName.get(def.name) ?? new Map();
      if (versions.has(def.version)) throw new Error(`Process ${def.name} v${def.version} is registered twice.`);
      versions.set(def.version, def);
      this.byName.set(def.name, versions);
    }
    return this;
  }

  latest(name: string): ProcessDefinition<any> {
    const versions = this.byName.get(name);
    if (!versions) {
      throw new UserInputError('unknown_process', `There is no process called "${name}". Known processes: ${this.names().join(', ') || 'none'}.`);
    }
    return versions.get(Math.max(...versions.keys()))!;
  }

  get(name: string, version: number): ProcessDefinition<any> | undefined {
    return this.byName.get(name)?.get(version);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  list(): ProcessDefinition<any>[] {
    return this.names().map((n) => this.latest(n));
  }

  /** Every agent type any registered step runs on: one BullMQ queue each. */
  agents(): string[] {
    const set = new Set<string>(['core']);
    for (const versions of this.byName.values()) for (const def of versions.values()) for (const s of Object.values(def.steps)) set.add(s.agent ?? 'core');
    return [...set].sort();
  }
}
