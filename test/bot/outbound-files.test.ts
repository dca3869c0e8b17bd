import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatHarness, SLACK_DM, SLACK_OP, TG_OP } from '../support/chat-harness.ts';
import { coordinatorUnderTest } from '../support/coordinator-under-test.ts';


describe('files from the COO are uploaded to Telegram and Slack', () => {
  let h: ChatHarness;
  const tg = () => h.tg!;
  const slack = () => h.slackApi!;
  const file = async (name: string, bytes: Buffer, mimeType: string) => {
    const path = join(h.dataDir, name);
    await writeFile(path, bytes);
    return { name, mimeType, size: bytes.length, path };
  };

  beforeAll(async () => {
    h = await ChatHarness.startPaired(coordinatorUnderTest);
  });
  afterAll(async () => h?.close());

  it('sends a PDF and a PNG with the text, byte for byte, and says nothing of their contents in the log', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(5_000)]);
    const files = [await file('march-report.pdf', pdf, 'application/pdf'), await file('chart.png', png, 'image/png')];
    await h.operator.post({ kind: 'notice', text: 'Your March report', files });

    const text = await tg().waitForCall((c) => c.method === 'sendMessage' && c.body.text === 'Your March report');
    const doc = await tg().waitForCall((c) => c.method === 'sendDocument' && String(c.body.chat_id) === String(TG_OP));
    const photo = await tg().waitForCall((c) => c.method === 'sendPhoto' && String(c.body.chat_id) === String(TG_OP));
    expect(doc.files!.map((f) => [f.name, f.bytes.equals(pdf)])).toEqual([['march-report.pdf', true]]);
    expect(photo.files![0].bytes.equals(png)).toBe(true);
    // In order: the text, then the files as listed.
    expect(text.at).toBeLessThan(doc.at);
    expect(doc.at).toBeLessThan(photo.at);

    await slack().waitForCall((c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === SLACK_DM && String(c.args.files).includes('chart.png'));
    const ups = [...slack().uploads.values()].filter((u) => u.channel === SLACK_DM);
    expect(ups.map((u) => u.filename).sort()).toEqual(['chart.png', 'march-report.pdf']);
    expect(ups.find((u) => u.filename === 'march-report.pdf')!.bytes!.equals(pdf)).toBe(true);
    expect(ups.find((u) => u.filename === 'chart.png')!.bytes!.equals(png)).toBe(true);
    const post = slack().callsOf('chat.postMessage').find((c) => c.args.text === 'Your March report')!;
    expect(post.at).toBeLessThan(slack().callsOf('files.getUploadURLExternal')[0].at);
    // The file names stay out of the text (they arrive as files), and no bytes reach the log.
    expect(String(text.body.text)).not.toContain('march-report.pdf');
    expect(h.logs.some((l) => l.includes('%PDF'))).toBe(false);
  });

  it('says clearly when a file is over a platform limit or gone, and still delivers the rest', async () => {
    const ok = await file('small.txt', Buffer.from('hello'), 'text/plain');
    const huge = { ...(await file('archive.zip', Buffer.from('zip'), 'application/zip')), size: 60 * 1024 * 1024 };
    const gone = { name: 'lost.pdf', mimeType: 'application/pdf', size: 10, path: join(h.dataDir, 'nowhere', 'lost.pdf') };
    const tooBigEverywhere = { ...(await file('video.mov', Buffer.from('mov'), 'video/quicktime')), size: 2 * 1024 * 1024 * 1024 };
    await h.operator.post({ kind: 'notice', text: 'Files for you', files: [ok, huge, gone, tooBigEverywhere] });

    const text = await tg().waitForCall((c) => c.method === 'sendMessage' && String(c.body.text).startsWith('Files for you'));
    expect(String(text.body.text)).toMatch(/archive\.zip is 60 MB, over Telegram's 50 MB limit/);
    expect(String(text.body.text)).toMatch(/video\.mov is 2048 MB, over Telegram's 50 MB limit/);
    const lost = await tg().waitForCall((c) => c.method === 'sendMessage' && /lost\.pdf could not be sent/.test(String(c.body.text)));
    const small = await tg().waitForCall((c) => c.method === 'sendDocument' && c.files?.[0]?.name === 'small.txt');
    expect(small.files![0].bytes.toString()).toBe('hello');
    expect(lost.at).toBeGreaterThan(text.at);
    expect(tg().callsOf('sendDocument').some((c) => c.files?.[0]?.name === 'archive.zip')).toBe(false);

    const sPost = await slack().waitForCall((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('Files for you'));
    expect(JSON.stringify(sPost.args.blocks)).toMatch(/video\.mov is 2048 MB, over Slack's 1024 MB limit/);
    await slack().waitForCall((c) => c.method === 'chat.postMessage' && /lost\.pdf could not be sent/.test(String(c.args.text)));
    await slack().waitForCall((c) => c.method === 'files.completeUploadExternal' && String(c.args.files).includes('archive.zip'));
    await h.surfaces.hub.idle();
    // Under Slack's limit, the zip is uploaded there; the video nowhere.
    expect([...slack().uploads.values()].map((u) => u.filename)).toEqual(expect.arrayContaining(['small.txt', 'archive.zip']));
    expect([...slack().uploads.values()].some((u) => u.filename === 'video.mov')).toBe(false);
    expect(h.logs.some((l) => l.includes('gave up on an outbound message'))).toBe(false);
  });

  it('explains a file the platform refuses (Slack without files:write) and delivers the rest', async () => {
    slack().refuseNext('files.getUploadURLExternal', 'missing_scope');
    const a = await file('first.csv', Buffer.from('a,b\n1,2\n'), 'text/csv');
    const b = await file('second.csv', Buffer.from('c,d\n3,4\n'), 'text/csv');
    await h.operator.post({ kind: 'notice', text: 'Two exports', files: [a, b] });
    const note = await slack().waitForCall((c) => c.method === 'chat.postMessage' && /first\.csv could not be attached: Slack answered "missing_scope" \(the app needs the files:write scope/.test(String(c.args.text)));
    await slack().waitForCall((c) => c.method === 'files.completeUploadExternal' && String(c.args.files).length > 0 && [...slack().uploads.values()].some((u) => u.filename === 'second.csv' && u.channel === SLACK_DM));
    expect([...slack().uploads.values()].find((u) => u.filename === 'second.csv')!.bytes!.toString()).toBe('c,d\n3,4\n');
    expect(note).toBeDefined();
    await h.surfaces.hub.idle();
    expect(h.logs.some((l) => l.includes('gave up on an outbound message'))).toBe(false);
  });
});
