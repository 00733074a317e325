// Measures how fast the built site first renders, in headless Chromium, with the
// Performance API: for each of N cold loads (a fresh browser context, so nothing is cached)
// it reads the `workbench-mounted` mark that app/src/main.rs sets right after mounting,
// the first contentful paint, and when the worker reported ready (the header's status).
// Served from a sub-path on 127.0.0.1 by e2e/harness.mjs. Run after `make dist`:
//
//   node scripts/first-render.mjs [runs]
import { chromium } from 'playwright-core';
import { serveDist } from '../e2e/harness.mjs';

const runs = Number(process.argv[2] ?? 15);
const server = await serveDist();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const samples = { mounted: [], fcp: [], workerReady: [] };
try {
  for (let i = 0; i < runs; i += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
    const workerReady = await page.evaluate(() => performance.now());
    const t = await page.evaluate(() => ({
      mounted: performance.getEntriesByName('workbench-mounted')[0]?.startTime,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    }));
    // The status check polls, so `workerReady` is an upper bound within a frame or two.
    samples.mounted.push(t.mounted);
    samples.fcp.push(t.fcp);
    samples.workerReady.push(workerReady);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const pct = (xs, p) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
for (const [name, xs] of Object.entries(samples)) {
  console.log(`${name}: median ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (${xs.length} cold loads)`);
}
