// Measures, in headless Chromium with the Performance API, on the built site (served from a
// sub-path on 127.0.0.1 by e2e/harness.mjs) and its real worker:
//
//  1. Run → drawn graph for five typical queries over the demo scenario's full 6 h window:
//     from the Run button's click to the `graph-drawn` mark the canvas effect sets after
//     painting (app/src/components/graph_canvas.rs). The first run of the session also
//     generates the scenario's samples and is reported apart; then each query is run
//     RUNS times (default 20). p50 and p95 per query.
//  2. The longest main-thread task (PerformanceObserver 'longtask', which reports tasks over
//     50 ms) during those runs, and during a heavy query (a one-second subquery over 24 h)
//     that the worker computes for HEAVY_MS before it is cancelled.
//
// Run by hand after `make dist`:   node scripts/query-speed.mjs [runs]
import { chromium } from 'playwright-core';
import { serveDist } from '../e2e/harness.mjs';

const RUNS = Number(process.argv[2] ?? 20);
const HEAVY_MS = 8_000;
const QUERIES = [
  'up',
  'sum by (job) (rate(demo_api_request_duration_seconds_count[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))',
  'sum by (mode) (rate(demo_cpu_usage_seconds_total[5m]))',
  'sum by (path) (rate(demo_api_request_duration_seconds_count{status="500"}[5m])) / sum by (path) (rate(demo_api_request_duration_seconds_count[5m]))',
];
const HEAVY = 'quantile_over_time(0.9, rate(demo_api_request_duration_seconds_count[5m])[12h:1s])';

const server = await serveDist();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Clicks Run and resolves with the milliseconds until the graph is drawn. */
const timeRun = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  performance.clearMarks('graph-drawn');
  const timer = setTimeout(() => reject(new Error('no graph within 60 s')), 60_000);
  const observer = new PerformanceObserver((list) => {
    const drawn = list.getEntries().find((e) => e.name === 'graph-drawn');
    if (drawn) {
      observer.disconnect();
      clearTimeout(timer);
      resolve(drawn.startTime - t0);
    }
  });
  observer.observe({ type: 'mark' });
  const t0 = performance.now();
  document.querySelector('.editor-actions button.primary').click();
}));

try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${server.url}?scenario=demo`);
  await page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
  await page.waitForSelector('#scenario option[value="demo"]', { state: 'attached' });
  const since = await page.evaluate(() => performance.now());
  let cold = null;
  for (const q of QUERIES) {
    await page.fill('#query-input', q);
    await page.keyboard.press('Escape');
    const first = await timeRun(page);
    cold ??= first;
    const times = [];
    for (let i = 0; i < RUNS; i += 1) times.push(await timeRun(page));
    const stats = await page.textContent('.graph .stats');
    console.log(`${q}\n  p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${RUNS} runs (first run ${first.toFixed(1)} ms); ${stats}`);
  }
  console.log(`first run of the session (generates the 6 h window): ${cold.toFixed(1)} ms`);
  const typical = await page.evaluate((t) => window.__longtasks.filter((e) => e.start >= t), since);
  console.log(`long tasks during the typical runs: ${typical.length}, longest ${typical.length ? Math.max(...typical.map((e) => e.duration)).toFixed(1) : 'none over 50'} ms`);

  // The heavy query: 24 h graph of a one-second subquery, cancelled after HEAVY_MS.
  await page.click('.presets button:has-text("24h")');
  await page.fill('#query-input', HEAVY);
  await page.keyboard.press('Escape');
  const heavyStart = await page.evaluate(() => performance.now());
  await page.click('.editor-actions button.primary');
  // Meanwhile the page must answer: count frames and time a click's handling.
  const responsive = await page.evaluate((ms) => new Promise((resolve) => {
    let frames = 0;
    let worstGap = 0;
    let last = performance.now();
    const end = last + ms;
    const tick = (now) => {
      worstGap = Math.max(worstGap, now - last);
      last = now;
      frames += 1;
      if (now < end) requestAnimationFrame(tick); else resolve({ frames, worstGap });
    };
    requestAnimationFrame(tick);
  }), HEAVY_MS);
  const running = await page.locator('.run-status').isVisible();
  const progress = running ? await page.textContent('.run-status .progress-text') : 'finished';
  if (running) await page.click('.run-status .cancel');
  const heavy = await page.evaluate((t) => window.__longtasks.filter((e) => e.start >= t), heavyStart);
  console.log(`heavy query (${HEAVY}, 24 h): ${running ? `still running after ${HEAVY_MS} ms (${progress}), cancelled` : 'finished'}; ` +
    `${responsive.frames} frames, longest gap between frames ${responsive.worstGap.toFixed(1)} ms; ` +
    `long tasks: ${heavy.length}, longest ${heavy.length ? Math.max(...heavy.map((e) => e.duration)).toFixed(1) : 'none over 50'} ms`);
} finally {
  await browser.close();
  server.close();
}
