import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brightlinePhoto } from './support/invoice-result.ts';
import { type IntakeApp, startIntakeApp } from './support/intake-app.ts';

// Issue 15 §2: a file that can never be read is refused at upload with one clear line, not started
// and then reported failed twice.
let app: IntakeApp;
const dir = mkdtempSync(join(tmpdir(), 'coo-refuse-'));
beforeAll(async () => {
  app = await startIntakeApp();
}, 60_000);
afterAll(async () => {
  await app.close();
});

function file(name: string, bytes: Buffer, mimeType = 'application/octet-stream') {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { name, mimeType, size: bytes.length, path };
}
const send = (files: ReturnType<typeof file>[], key: string) => app.c.operator.handleMessage({ surface: 'console', actor: 'op', text: '', files, dedupeKey: key });
const runCount = async () => app.env.tdb.db.run.count({ where: { process: 'document-intake' } });

describe('files that can never be read are refused at upload', () => {
  it.each([
    ['empty.pdf', Buffer.alloc(0), 'application/pdf', /^Not read — empty\.pdf: The file is empty \(0 bytes\)\. Please send it again\.$/],
    ['setup.exe', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]), 'application/x-msdownload', /^Not read — setup\.exe: This looks like a file type I do not recognise\. Send a PDF or a JPEG, PNG, WebP or TIFF image/],
    ['notes.txt', Buffer.from('just some notes about the invoice\n'.repeat(5)), 'text/plain', /^Not read — notes\.txt: This looks like a text file\./],
    ['photo.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 1)]), 'application/pdf', /^Not read — photo\.pdf: This looks like a file type I do not recognise/],
  ])('refuses %s in one line and starts no run', async (name, bytes, mime, line) => {
    const before = await runCount();
    const r = await send([file(name, bytes, mime)], `refuse-${name}`);
    expect(r.reply!.body.kind).toBe('error');
    expect(r.reply!.body.text).toMatch(line);
    expect(r.reply!.body.text.split('\n')).toHaveLength(1);
    expect(await runCount()).toBe(before);
  });

  it('reads the good file of a message and refuses only the bad one', async () => {
    const png = file('scan.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]), 'image/png');
    app.results.set('scan.png', brightlinePhoto('scan.png', { total: 396.27 }));
    const before = await runCount();
    const r = await send([png, file('virus.exe', Buffer.from('MZ\x90\x00'.repeat(10)))], 'mixed');
    expect(r.reply!.body.text).toMatch(/^Reading scan\.png \(run run_\w+\)… I'll post what I find\.\nNot read — virus\.exe: /);
    expect(await runCount()).toBe(before + 1);
  });
});
