// Shared set-up for the end-to-end tests: serve dist/ from a sub-path on 127.0.0.1 and drive
// Debian's Chromium through playwright-core (never Playwright's own browser download).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHOTS = join(ROOT, 'target', 'e2e');
/** The sub-path the site is served from, as a course would host it. */
export const SUB_PATH = '/course/promql/';

// Flags Chromium needs as root on a closed network: without the background-networking ones it
// keeps trying (and failing) to reach Google's hosts.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Serves dist/ under SUB_PATH; returns { url, close }. */
export async function serveDist() {
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error('dist/index.html is missing: run `make dist` first');
  }
  const root = mkdtempSync(join(tmpdir(), 'workbench-e2e-'));
  mkdirSync(join(root, 'course'));
  symlinkSync(dist, join(root, 'course', 'promql'));
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`static server did not start: ${out}`)), 10_000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /port (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolvePort(Number(m[1])); }
    });
    server.on('exit', (code) => reject(new Error(`static server exited (${code}): ${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}${SUB_PATH}`,
    close: () => server.kill(),
  };
}

/** Launches headless Chromium and opens a page that records console errors. */
export async function openBrowser() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  // A request cut short by the next navigation (the favicon, when a test opens the page
  // again at once) is aborted, not failed.
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${req.url()}`);
  });
  return { browser, context, page, errors };
}

/** Saves a full-page screenshot as target/e2e/NAME.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
