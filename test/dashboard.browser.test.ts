// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
// daemon: the actor tree and the device statechart follow a virtual session live, the band chart
// moves with EegBands, History lists the recorded session, and each page is saved as a
// screenshot under test/artifacts/ for review. Skipped, with the reason, when Chromium is absent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, useDaemon } from './helpers/daemonProcess.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from './helpers/chromium.ts';

const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const skip = chromiumAvailable() ? false : `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;
if (skip) console.log(`# skipping the browser tests: ${skip}`);

const ctx = useDaemon();
let browser: Browser;
let closeBrowser = async () => {};
let viewer: Page; // a read_only token: what any dashboard user can see
let operator: Page; // the default token: may start and stop sessions
const consoleErrors: string[] = [];

const base = () => `http://127.0.0.1:${ctx.daemon.port}/dashboard`;
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });

/** Polls a numeric attribute until `ok` holds (the page's CSP forbids waitForFunction's eval). */
async function waitForNumber(page: Page, selector: string, attr: string, ok: (n: number) => boolean, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = Number((await page.locator(selector).getAttribute(attr)) ?? 0);
    if (ok(n)) return n;
    if (Date.now() > deadline) throw new Error(`${selector} ${attr}=${n} after ${timeoutMs} ms`);
    await page.waitForTimeout(100);
  }
}

async function openPage(token: string, hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${base()}?token=${encodeURIComponent(token)}#${hash}`);
  return page;
}

before(async () => {
  if (skip) return;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ({ browser, close: closeBrowser } = await launchChromium());
});

after(async () => {
  await closeBrowser();
});

test('the actor tree and the device statechart follow a virtual session live (read_only token)', { skip }, async () => {
  const ro = await ctx.admin.post('/v1/auth/tokens', { name: 'dashboard', acl: 'read_only', expiry: 'week' });
  assert.equal(ro.status, 200, `read_only token: ${ro.text}`);
  const started = Date.now();
  viewer = await openPage(ro.json.token, 'actors');
  await viewer.locator('#actor-tree tr[data-actor="device"] td.state').filter({ hasText: 'disconnected' }).waitFor({ timeout: 10_000 });
  await viewer.locator('svg.statechart[data-actor="device"] g.state.active[data-path="disconnected"]').waitFor({ timeout: 10_000 });
  const loadMs = Date.now() - started;
  console.log(`# actors page with tree and statechart drawn in ${loadMs} ms`);
  assert.equal(new URL(viewer.url()).searchParams.get('token'), null, 'the token leaves the address bar');
  assert.equal(await viewer.evaluate('sessionStorage.getItem("skill-daemon.token")'), ro.json.token, 'the token is kept in session storage');
  for (const id of ['root', 'watchdog', 'device', 'recorder']) {
    assert.equal(await viewer.locator(`#actor-tree tr[data-actor="${id}"]`).count(), 1, `actor ${id} listed`);
  }

  // An operator starts a session from the Live page; the viewer's drawing moves without a reload.
  operator = await openPage(ctx.daemon.token, 'live');
  await operator.getByRole('button', { name: 'Start virtual session' }).click();
  await viewer.locator('#actor-tree tr[data-actor="device"] td.state').filter({ hasText: 'session.streaming' }).waitFor({ timeout: 15_000 });
  await viewer.locator('svg.statechart[data-actor="device"] g.state.active[data-path="session.streaming"]').waitFor({ timeout: 5_000 });
  const inactive = await viewer.locator('svg.statechart g.state.active[data-path="disconnected"]').count();
  assert.equal(inactive, 0, 'disconnected is no longer highlighted');
  const lastEvent = await viewer.locator('#actor-transitions tbody tr').first().locator('td').nth(1).textContent();
  assert.ok(lastEvent && lastEvent.startsWith('device.'), `the newest transition names its event, got ${lastEvent}`);

  // Clicking a state lists the events it answers to.
  await viewer.locator('svg.statechart g.state[data-path="disconnected"]').click({ force: true });
  const answers = await viewer.locator('#state-events').textContent();
  assert.ok(answers?.includes('device.start'), `disconnected answers to device.start: ${answers}`);
  await shot(viewer, 'actors');
});

test('the Live page: band chart and scores update about four times a second', { skip }, async () => {
  assert.ok(operator, 'the operator page is open');
  await operator.locator('#device-state[data-state="connected"]').waitFor({ timeout: 10_000 });
  const chart = operator.locator('#band-chart');
  await waitForNumber(operator, '#band-chart', 'data-updates', (n) => n >= 2);
  const before = { n: Number(await chart.getAttribute('data-updates')), t: Date.now(), png: await chart.screenshot() };
  await operator.waitForTimeout(2_000);
  const after = { n: Number(await chart.getAttribute('data-updates')), t: Date.now(), png: await chart.screenshot() };
  const rate = (after.n - before.n) / ((after.t - before.t) / 1000);
  console.log(`# band chart: ${after.n - before.n} updates in ${after.t - before.t} ms (${rate.toFixed(1)}/s)`);
  assert.ok(rate >= 2.5 && rate <= 6, `about 4 updates a second, got ${rate.toFixed(2)}`);
  assert.ok(!before.png.equals(after.png), 'the band chart pixels changed');
  const quality = await operator.locator('#signal-quality .badge').count();
  assert.ok(quality > 0, `per-channel quality shown (${quality} channels)`);
  await shot(operator, 'live');
});

test('History lists the session, with its chart; System shows the watchdog', { skip }, async () => {
  assert.ok(operator, 'the operator page is open');
  // Let the recorder write a few 5 s epochs, then stop.
  await operator.waitForTimeout(6_000);
  await operator.getByRole('button', { name: 'Stop session' }).click();
  await operator.locator('#device-state[data-state="disconnected"]').waitFor({ timeout: 10_000 });

  await operator.goto(`${base()}#history`);
  await operator.locator('#sessions tr.session').first().waitFor({ timeout: 10_000 });
  const sessions = await operator.locator('#sessions tr.session').count();
  assert.equal(sessions, 1, 'the one recorded session is listed');
  assert.match(await operator.locator('#sessions tr.session td').nth(2).textContent() ?? '', /Virtual/, 'its device');
  await waitForNumber(operator, '#session-chart', 'data-updates', (n) => n >= 1);
  // Dragging across the chart searches for similar moments: an answer, never an error.
  const box = await operator.locator('#session-chart').boundingBox();
  assert.ok(box, 'the session chart is on screen');
  await operator.mouse.move(box.x + 50, box.y + box.height / 2);
  await operator.mouse.down();
  await operator.mouse.move(box.x + box.width - 20, box.y + box.height / 2, { steps: 5 });
  await operator.mouse.up();
  await operator.locator('#similar').filter({ hasNotText: 'searching' }).filter({ hasText: /distance|no similar moments/ }).waitFor();
  assert.equal(await operator.locator('#similar .error').count(), 0, `the search answered: ${await operator.locator('#similar').textContent()}`);
  await shot(operator, 'history');

  await operator.goto(`${base()}#system`);
  await operator.locator('#watchdog-note').filter({ hasText: 'stall detector' }).waitFor({ timeout: 10_000 });
  await shot(operator, 'system');
  assert.deepEqual(consoleErrors, [], 'no errors in the browser console');
});
