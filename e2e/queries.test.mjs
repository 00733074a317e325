// Queries run for real: the built site, its worker generating the demo scenario's samples
// and the PromQL engine evaluating them. Nothing here injects results. Screenshots of each
// state land in target/e2e/ (light and dark, 1280×800 and 390 px wide).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openBrowser, screenshot } from './harness.mjs';

let server;
let b;
before(async () => {
  server = await serveDist();
  b = await openBrowser();
});
after(async () => {
  await b?.browser.close();
  server?.close();
});

/** Opens the page fresh and waits for the worker and the scenario catalog. */
async function open(page = b.page, search = '') {
  const response = await page.goto(server.url + search);
  assert.equal(response.status(), 200);
  await page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
  await page.waitForSelector('#scenario option[value="demo"]', { state: 'attached' });
}

async function typeQuery(text, page = b.page) {
  await page.fill('#query-input', '');
  await page.type('#query-input', text);
}

const value = (page = b.page) => page.inputValue('#query-input');

/** Presses Run, as a learner whose focus is elsewhere (on a tab, a preset) does. */
const run = (page = b.page) => page.click('.editor-actions button.primary');

/** Waits for a drawn graph (not the one before) and returns its stats line. */
async function graphDrawn(page = b.page) {
  await page.waitForSelector('.graph:not(.hidden) .stats:has-text("evaluated in")', { timeout: 60_000 });
  return page.textContent('.graph .stats');
}

/** How many of the canvas's pixels differ from its most common colour (the background). */
function inkedPixels(page = b.page) {
  return page.evaluate(() => {
    const c = document.querySelector('.graph-canvas');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const most = Math.max(...counts.values());
    return { inked: data.length / 4 - most, colours: counts.size };
  });
}

test('a query typed with autocomplete runs and draws a graph whose values show on hover', async () => {
  await open();
  await typeQuery('rate(demo_api_request_duration_seconds_c');
  await b.page.waitForSelector('.completion.open');
  assert.equal(await b.page.textContent('#completion-0 .label'), 'demo_api_request_duration_seconds_count');
  // The list opens under the caret's line, not far below the editor.
  const gap = await b.page.evaluate(() => {
    const list = document.querySelector('.completion').getBoundingClientRect();
    const box = document.querySelector('#query-input').getBoundingClientRect();
    return list.top - box.top;
  });
  assert.ok(gap > 0 && gap < 60, `the list is ${gap}px below the editor's top`);
  await screenshot(b.page, 'autocomplete-metric');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type('[5m])');
  await b.page.keyboard.press('Escape');
  assert.equal(await value(), 'rate(demo_api_request_duration_seconds_count[5m])');
  await b.page.keyboard.press('Control+Enter');
  const stats = await graphDrawn();
  assert.match(stats, /^\d+ series · \d+ samples · evaluated in [\d.]+ ms · \d+ samples touched/);
  const { inked, colours } = await inkedPixels();
  assert.ok(inked > 2000 && colours > 5, `the canvas is drawn: ${inked} pixels, ${colours} colours`);
  assert.ok(await b.page.locator('.legend-entry').count() > 1);
  // Hover: the tooltip names the time and the values of the nearest series.
  const box = await b.page.locator('.graph-canvas').boundingBox();
  await b.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await b.page.waitForSelector('.tooltip .tooltip-time');
  assert.match(await b.page.textContent('.tooltip'), /\d/);
  await screenshot(b.page, 'graph-hover');
  assert.deepEqual(b.errors, []);
});

test('a bucket query draws as a heatmap', async () => {
  await open();
  await typeQuery('sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m]))');
  await b.page.keyboard.press('Escape');
  await b.page.keyboard.press('Control+Enter');
  await graphDrawn();
  const heatmap = b.page.locator('.modes button:has-text("Heatmap")');
  assert.equal(await heatmap.isDisabled(), false);
  await heatmap.click();
  await b.page.waitForSelector('.graph .note:has-text("de-cumulated")');
  const { inked, colours } = await inkedPixels();
  assert.ok(inked > 20000 && colours > 10, `the heatmap is drawn: ${inked} pixels, ${colours} colours`);
  // The colour bar replaces the series legend, with its ends and what the colours count.
  const scale = b.page.locator('.graph .color-scale');
  assert.ok(await scale.isVisible());
  assert.equal(await scale.locator('.scale-min').textContent(), '0');
  assert.match(await scale.locator('.scale-max').textContent(), /^\d[\d.]*[kM]?$/);
  assert.equal(await scale.locator('.scale-title').textContent(), 'observations per second in the bucket');
  assert.match(await scale.locator('.scale-bar').getAttribute('style'), /linear-gradient/);
  assert.equal(await b.page.locator('.graph .legend-entry').count(), 0);
  assert.equal(await b.page.locator('.graph .legend-help').count(), 0);
  // Hovering a cell names its time, its bucket's bounds in the y-axis' unit and its value.
  const box = await b.page.locator('.graph-canvas').boundingBox();
  await b.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await b.page.waitForSelector('.tooltip .tooltip-time');
  const rows = await b.page.locator('.tooltip .tooltip-row').allTextContents();
  assert.match(rows[0], /^[\d.]+(µs|ms|s|min) – ([\d.]+(µs|ms|s|min)|\+Inf)$/, rows.join(' | '));
  assert.match(rows[1], /^[\d.]+[kmµ]? observations\/s$/, rows.join(' | '));
  assert.ok(await b.page.locator('.hover-cell').isVisible());
  await screenshot(b.page, 'heatmap');
  // Back in Lines mode the series legend returns and the colour bar goes.
  await b.page.click('.modes button:has-text("Lines")');
  await b.page.waitForSelector('.graph .legend-entry');
  assert.ok(await b.page.locator('.graph .legend-entry').count() > 1);
  assert.equal(await b.page.locator('.graph .color-scale').count(), 0);
  assert.deepEqual(b.errors, []);
});

test('the Table tab runs an instant query: rows, series count, evaluation time', async () => {
  await open();
  await typeQuery('sum by (path, method) (rate(demo_api_request_duration_seconds_count[5m]))');
  await b.page.keyboard.press('Escape');
  await b.page.click('#tab-table');
  await run();
  await b.page.waitForSelector('.result-table tbody tr', { timeout: 60_000 });
  const rows = await b.page.locator('.result-table tbody tr').count();
  const stats = await b.page.textContent('.tab-panel .stats');
  const m = /^(\d+) series · \d+ samples · evaluated in ([\d.]+) ms/.exec(stats);
  assert.ok(m, stats);
  assert.equal(Number(m[1]), rows);
  assert.ok(rows > 1);
  assert.match(await b.page.textContent('.result-table tbody tr td.series'), /^\{method="\w+", path="[^"]+"\}$/);
  await screenshot(b.page, 'table');
  assert.deepEqual(b.errors, []);
});

test('Explain evaluates each node, and a hint\'s fix rewrites and re-runs the query', async () => {
  await open();
  await typeQuery('demo_api_request_duration_seconds_count');
  await b.page.keyboard.press('Escape');
  await b.page.click('#tab-explain');
  await b.page.waitForSelector('.hint[data-rule="counter_without_rate"]');
  // Until the query is run, the tree has no per-node results.
  assert.equal(await b.page.locator('.node-stats').count(), 0);
  await run();
  await b.page.waitForSelector('.node-stats:has-text("series")');
  assert.match(await b.page.textContent('.node-stats'), /^\d+ series · \d+ samples touched/);
  assert.match(await b.page.textContent('.node-labels'), /instance = "/);
  await screenshot(b.page, 'explain-counter');
  await b.page.click('.hint[data-rule="counter_without_rate"] .apply-fix');
  await b.page.waitForFunction(() => document.querySelector('#query-input').value.startsWith('rate('));
  assert.match(await value(), /^rate\(demo_api_request_duration_seconds_count\[\d+m\]\)$/);
  // Re-run: the new tree is evaluated, with a node per part.
  await b.page.waitForFunction(() => document.querySelectorAll('.tree .node .node-stats').length === 2);
  assert.equal(await b.page.textContent('.tree .node:first-child .node-text'), 'rate(…)');
  // An empty result names the matcher and offers the value that exists.
  await typeQuery('demo_api_request_duration_seconds_count{status="501"} > 0');
  await b.page.keyboard.press('Control+Enter');
  await b.page.waitForSelector('.hint[data-rule="empty_result"], .hint[data-rule="no_matching_series"]');
  await screenshot(b.page, 'explain-empty');
  assert.deepEqual(b.errors, []);
});

test('a shared link restores the same view and result', async () => {
  await open();
  await typeQuery('sum by (instance) (rate(demo_cpu_usage_seconds_total{mode!="idle"}[5m]))');
  await b.page.keyboard.press('Escape');
  await b.page.click('.presets button:has-text("1h")');
  await run();
  const stats = await graphDrawn();
  await b.page.click('.modes button:has-text("Stacked")');
  await b.page.waitForFunction(() => ['mode=stacked', 'range=1h', 'q=sum'].every((p) => location.search.includes(p)));
  const url = b.page.url();
  const again = await b.context.newPage();
  await again.goto(url);
  const restored = await graphDrawn(again);
  assert.equal(await again.inputValue('#query-input'), await value());
  assert.equal(restored.split(' · ').slice(0, 2).join(), stats.split(' · ').slice(0, 2).join(), 'same series and samples');
  assert.equal(await again.getAttribute('.modes button:has-text("Stacked")', 'aria-pressed'), 'true');
  assert.equal(await again.getAttribute('.presets button:has-text("1h")', 'aria-pressed'), 'true');
  const { inked } = await inkedPixels(again);
  assert.ok(inked > 2000);
  // The link's query ran in the scenario's window, not at the time the page opened.
  const box = await again.locator('.graph-canvas').boundingBox();
  await again.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5);
  await again.waitForSelector('.tooltip .tooltip-time');
  assert.match(await again.textContent('.tooltip-time'), /^2026-01-01 1[01]:/);
  await again.close();
  assert.deepEqual(b.errors, []);
});

test('a heavy query can be cancelled while the page stays responsive', async () => {
  await open();
  await b.page.click('.presets button:has-text("24h")');
  await typeQuery('quantile_over_time(0.9, rate(demo_api_request_duration_seconds_count[5m])[12h:1s])');
  await b.page.keyboard.press('Escape');
  await b.page.keyboard.press('Control+Enter');
  await b.page.waitForSelector('.run-status');
  // The page answers a click while the worker computes: the history list opens.
  await b.page.click('.history summary');
  await b.page.waitForSelector('.history[open]', { timeout: 2_000 });
  assert.ok(await b.page.locator('.run-status').isVisible(), 'the query is still running');
  await screenshot(b.page, 'heavy-running');
  await b.page.click('.run-status .cancel');
  await b.page.waitForSelector('.run-error.cancelled');
  await b.page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''));
  // The new worker generates the data again when the next query needs it.
  await b.page.click('.presets button:has-text("1h")');
  await typeQuery('up');
  await b.page.keyboard.press('Escape');
  await b.page.keyboard.press('Control+Enter');
  await graphDrawn();
  assert.deepEqual(b.errors, []);
});

for (const [scheme, width, height] of [['light', 1280, 800], ['dark', 1280, 800], ['light', 390, 844], ['dark', 390, 844]]) {
  test(`screenshots: ${scheme}, ${width} px wide`, async () => {
    const context = await b.browser.newContext({ viewport: { width, height }, colorScheme: scheme });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    try {
      await open(page, '?scenario=demo&q=sum+by+(path)+(rate(demo_api_request_duration_seconds_count%5B5m%5D))');
      await graphDrawn(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      // The editor is on the first screen, not pushed down by the scenario's description.
      const editorTop = await page.evaluate(() => document.querySelector('#query-input').getBoundingClientRect().top);
      assert.ok(editorTop < height * 0.5, `the editor starts at ${editorTop}px`);
      await screenshot(page, `graph-${scheme}-${width}`);
      await page.click('#tab-explain');
      await page.waitForSelector('.node-stats');
      await screenshot(page, `explain-${scheme}-${width}`);
      // The bucket heatmap with its colour bar and a hovered cell, which must read in both
      // themes and fit a phone.
      await open(page, `?scenario=demo&mode=heatmap&q=${encodeURIComponent('sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m]))')}`);
      await page.waitForSelector('.graph .color-scale .scale-max', { timeout: 60_000 });
      const box = await page.locator('.graph-canvas').boundingBox();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.45);
      await page.waitForSelector('.tooltip .tooltip-row');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `the heatmap page scrolls sideways by ${wide}px`);
      await screenshot(page, `heatmap-${scheme}-${width}`);
    } finally {
      await context.close();
    }
    assert.deepEqual(errors, []);
  });
}
