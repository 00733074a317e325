// Measures a Check in the browser, with the Performance API, on the built site (served from a
// sub-path on 127.0.0.1 by e2e/harness.mjs) and its real worker: from the Check button's click
// to the `verdict-shown` mark FeedbackList sets when the verdict renders.
//
//  - cold: a fresh browser context opens an exercise and clicks Check as soon as the button is
//    there. Opening the exercise has just asked the worker for the expected result, which
//    generates the scenario's data for every seed the exercise grades on; the Check waits
//    behind it, then grades. Reported twice: click → verdict, and navigation start → verdict
//    (the whole first visit: page, worker start, data, reference, grading). COLD runs
//    (default 5), each in a new context.
//  - warm: the same exercise checked again with other answers (data and reference cached);
//    WARM runs (default 20), alternating a right and a wrong answer.
//
// Run by hand after `make dist`:   node scripts/check-speed.mjs [cold] [warm]
import { chromium } from 'playwright-core';
import { serveDist } from '../e2e/harness.mjs';

const COLD = Number(process.argv[2] ?? 5);
const WARM = Number(process.argv[3] ?? 20);
const EXERCISES = [
  { path: 'course-01-selectors/active-sessions', answers: ['ebanking_active_sessions', 'sum(ebanking_active_sessions)'] },
  { path: 'course-05-histograms/p95-per-endpoint', answers: [
    'histogram_quantile(0.95, rate(ebanking_request_duration_seconds_bucket[5m]))',
    'histogram_quantile(0.9, rate(ebanking_request_duration_seconds_bucket[5m]))'] },
];

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
const fmt = (ms) => `${ms.toFixed(1)} ms`;

/** Types `query`, clicks Check and resolves with the milliseconds until the verdict shows. */
async function timeCheck(page, query) {
  await page.fill('#query-input', query);
  return page.evaluate(() => new Promise((resolve, reject) => {
    performance.clearMarks('verdict-shown');
    const timer = setTimeout(() => reject(new Error('no verdict within 120 s')), 120_000);
    const observer = new PerformanceObserver((list) => {
      const shown = list.getEntries().find((e) => e.name === 'verdict-shown');
      if (shown) {
        observer.disconnect();
        clearTimeout(timer);
        resolve({ afterClick: shown.startTime - t0, sinceNavigation: shown.startTime });
      }
    });
    observer.observe({ type: 'mark' });
    const t0 = performance.now();
    document.querySelector('#check').click();
  }));
}

async function openExercise(context, path) {
  const page = await context.newPage();
  await page.goto(`${server.url}?course&ex=${path}`);
  await page.waitForSelector('#check', { timeout: 60_000 });
  return page;
}

for (const ex of EXERCISES) {
  const cold = [];
  const visit = [];
  for (let i = 0; i < COLD; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await openExercise(context, ex.path);
    const t = await timeCheck(page, ex.answers[0]);
    cold.push(t.afterClick);
    visit.push(t.sinceNavigation);
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openExercise(context, ex.path);
  await timeCheck(page, ex.answers[0]);
  const warm = [];
  for (let i = 0; i < WARM; i++) warm.push((await timeCheck(page, ex.answers[i % 2])).afterClick);
  await context.close();
  console.log(`${ex.path}: cold p50 ${fmt(pct(cold, 50))} max ${fmt(Math.max(...cold))}, ` +
    `navigation to verdict p50 ${fmt(pct(visit, 50))} max ${fmt(Math.max(...visit))} (${COLD} runs); ` +
    `warm p50 ${fmt(pct(warm, 50))} p95 ${fmt(pct(warm, 95))} (${WARM} runs)`);
}
await browser.close();
server.close();
