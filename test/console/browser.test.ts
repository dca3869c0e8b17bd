import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleAuth, type Db } from '../../coordinator/index.ts';
import { buildApp } from '../../scripts/app.ts';
import { createTestEnv, FAST, ROOT, type TestEnv } from '../support/harness.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

let env: TestEnv;
let browser: Browser;
let http: { url: string; loginUrl: string; close(): Promise<void> };
let stopApp: () => Promise<void>;
let operator: Awaited<ReturnType<typeof buildApp>>['coordinator']['operator'];
let db: Db;
const dataDir = mkdtempSync(join(tmpdir(), 'coo-browser-'));

beforeAll(async () => {
  env = await createTestEnv();
  const app = await buildApp({ config: { DATABASE_URL: env.tdb.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: env.prefix, ...FAST, COO_HTTP_PORT: 0, COO_DATA_DIR: dataDir } });
  operator = app.coordinator.operator;
  db = app.coordinator.db;
  await app.coordinator.start({ workers: true, background: true, digestSchedule: true });
  http = await app.serveHttp();
  stopApp = () => app.coordinator.stop();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await http?.close();
  await stopApp?.();
  await env.cleanup();
});

describe('web console in a real browser', () => {
  it('logs in, starts a run from the chat, presses Approve and sees the outcome', async () => {
    const page = await browser.newPage();
    await page.goto(http.url);
    expect(await page.textContent('h1')).toBe('Log in to your COO');
    await page.goto(http.loginUrl);
    await page.waitForSelector('#conn:text("live")');

    await page.fill('#text', '/run approval-roundtrip {"question":"Ship order #42 today?"}');
    await page.click('form button[type=submit]');
    await page.waitForSelector('.msg.out:has-text("Started approval-roundtrip")');

    // The approval arrives over the live stream, with its buttons.
    const approval = page.locator('.msg.approval', { hasText: 'Ship order #42 today?' });
    await approval.locator('button', { hasText: 'Approve' }).click();
    await approval.locator('.resolution', { hasText: 'Approve — by operator via console' }).waitFor();
    expect(await approval.locator('button').count()).toBe(0);
    await page.waitForSelector('.msg.notice:has-text("Ship order #42 today?” → approve")');

    const outDir = join(ROOT, 'test', 'output');
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'console-approved.png'), fullPage: true });

    await page.goto(`${http.url}/status`);
    await page.waitForSelector('#runs [data-status="completed"] .n:text("1")');
    expect(await page.locator('#queues tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(outDir, 'status.png'), fullPage: true });
  });

  it('answers a malformed command in the chat without a stack trace', async () => {
    const page = await browser.newPage();
    await page.goto(http.loginUrl);
    await page.waitForSelector('#conn:text("live")');
    await page.fill('#text', '/run approval-roundtrip {oops');
    await page.click('form button[type=submit]');
    const reply = page.locator('.msg.error').last();
    await reply.waitFor();
    expect(await reply.textContent()).toMatch(/must be JSON/);
  });

  it("offers a file the COO sends as a download with the same bytes", async () => {
    const bytes = randomBytes(20_000);
    const path = join(dataDir, 'summary.pdf');
    writeFileSync(path, bytes);
    await operator.post({ kind: 'notice', text: 'Your monthly summary', files: [{ name: 'summary.pdf', mimeType: 'application/pdf', size: bytes.length, path }] });
    const page = await browser.newPage();
    await page.goto(http.loginUrl);
    const link = page.locator('.msg.notice:has-text("Your monthly summary") a[download]');
    await link.waitFor();
    expect(await link.textContent()).toBe('📎 summary.pdf');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('summary.pdf');
    expect(readFileSync((await download.path())!).equals(bytes)).toBe(true);
  });

  it('lists on the status page every failed run that it counts (issue 15), without a retry for one that ended with an answer', async () => {
    const path = join(dataDir, 'broken.pdf');
    writeFileSync(path, '%PDF-1.7\nthis is not really a pdf');
    const r = await operator.handleMessage({ surface: 'console', actor: 'op', text: '', files: [{ name: 'broken.pdf', mimeType: 'application/pdf', size: 30, path }] });
    const runId = /\(run (run_\w+)\)/.exec(r.reply!.body.text)![1];
    const page = await browser.newPage();
    await page.goto(http.loginUrl);
    await page.goto(`${http.url}/status`);
    // The page polls every 3 s: wait until the run has failed and the page shows it.
    const row = page.locator('#failed-runs tbody tr', { hasText: runId });
    await row.waitFor({ timeout: 120_000 });
    expect(await row.textContent()).toContain('document-intake');
    expect(await row.textContent()).toContain('(ended with an answer; nothing to retry)');
    const counted = Number(await page.textContent('#runs [data-status="failed"] .n'));
    expect(await page.locator('#failed-runs tbody tr').count()).toBe(counted);
    await page.close();
  }, 150_000);

  it('sends an open tab back to the login screen when the login is rotated, without showing it anything new', async () => {
    const page = await browser.newPage();
    await page.goto(http.loginUrl);
    await page.waitForSelector('#conn:text("live")');
    // Notes in sessionStorage (which survives the reload) whether the tab ever showed the new message.
    await page.evaluate(() => {
      new MutationObserver(() => {
        if (document.body.innerText.includes('Posted after the rotation')) sessionStorage.setItem('leaked', 'yes');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // As `coo login --rotate` does from another process.
    await createConsoleAuth(db).rotate();
    await operator.post({ text: 'Posted after the rotation' });
    await page.waitForSelector('h1:text("Log in to your COO")');
    expect(await page.evaluate(() => sessionStorage.getItem('leaked'))).toBeNull();
    await page.close();
  });
});
