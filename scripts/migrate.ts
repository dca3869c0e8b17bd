import { join } from 'node:path';
import { applyMigrations, loadCoordinatorConfig } from '../coordinator/index.ts';

/** `npm run migrate`: applies prisma/migrations to DATABASE_URL (creating the database if needed). */
const config = loadCoordinatorConfig();
const r = await applyMigrations(config.DATABASE_URL, join(import.meta.dirname, '..', 'prisma', 'migrations'));
const db = new URL(config.DATABASE_URL).pathname.slice(1);
console.log(r.applied.length ? `Applied ${r.applied.length} migration(s) to ${db}: ${r.applied.join(', ')}` : `Database ${db} is up to date (${r.alreadyApplied.length} migrations).`);
