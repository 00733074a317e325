// Takes the screenshots a reviewer looks at before a change to the page's look ships: the
// workbench with a graph, Explain with a hint, the module list (also with its pack loader
// open) and an exercise with feedback for a wrong answer, each at 1280×800 and 390×844, in
// the light and the dark theme (Chromium's prefers-color-scheme). Full-page PNGs land in
// target/screenshots/NAME-SCHEME-WIDTH.png, and the script fails if a page scrolls
// sideways. It is not part of `make test` (the e2e suite takes its own subset); run it
// after `make dist`:
//
//   node scripts/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveDist, ROOT } from '../e2e/harness.mjs';

const OUT = join(ROOT, 'target', 'screenshots');
const QUERY = 'sum by (path) (rate(demo_api_request_duration_seconds_count[5m]))';
const EXPLAINED = 'histogram_quantile(0.9, demo_api_request_duration_seconds_bucket)';
const EXERCISE = 'course-01-selectors/critical-fraud-alerts';

mkdirSync(OUT, { recursive: true });
const server = await serveDist();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  for (const scheme of ['light', 'dark']) {
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`${scheme} ${width}: ${e}`));
      const shot = async (name) => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${name}-${scheme}-${width} scrolls sideways by ${overflow}px`);
        await page.screenshot({ path: join(OUT, `${name}-${scheme}-${width}.png`), fullPage: true });
      };
      const open = async (search) => {
        await page.goto(server.url + search);
        await page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
      };

      await open(`?scenario=demo&q=${encodeURIComponent(QUERY)}`);
      await page.waitForSelector('.graph:not(.hidden) .stats:has-text("evaluated in")', { timeout: 60_000 });
      await shot('workbench');
      // Explain on a query with a learner hint, whose long metric name must wrap on a phone.
      await open(`?scenario=demo&tab=explain&q=${encodeURIComponent(EXPLAINED)}`);
      await page.waitForSelector('.explain .hint', { timeout: 60_000 });
      await page.waitForSelector('.node-stats', { timeout: 60_000 });
      await shot('explain');

      await open('?course');
      await page.waitForSelector('.module-list .pack', { timeout: 30_000 });
      await shot('modules');
      await page.click('.pack-loader summary');
      await shot('modules-pack-loader');

      await open(`?course&ex=${EXERCISE}`);
      await page.waitForSelector('.exercise .prompt', { timeout: 30_000 });
      await page.fill('#query-input', '');
      await page.type('#query-input', 'ebanking_fraud_alerts_total');
      await page.keyboard.press('Escape');
      await page.click('#check');
      await page.waitForSelector('.verdict', { timeout: 60_000 });
      await page.waitForSelector('.side.mine .result-table', { timeout: 60_000 });
      await shot('exercise-feedback');
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots in ${OUT}`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
