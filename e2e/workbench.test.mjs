// The workbench as a learner uses it, in the real built site served from a sub-path: the
// page, the real worker (parser, formatter, explain), the editor, the tabs and the URL.
// Nothing here injects results; queries/graphs/explain with data are in queries.test.mjs.
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

/** Opens the page fresh (optionally with a query string) and waits for the worker. */
async function open(search = '') {
  const response = await b.page.goto(server.url + search);
  assert.equal(response.status(), 200);
  await b.page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
}

/** Replaces the editor's text by typing it, as a learner would. */
async function typeQuery(text) {
  await b.page.fill('#query-input', '');
  await b.page.type('#query-input', text);
}

const value = () => b.page.inputValue('#query-input');

test('the page loads from a sub-path and starts the worker', async () => {
  const requests = [];
  const record = (r) => requests.push(r.url());
  b.context.on('request', record);
  await open();
  b.context.off('request', record);
  assert.equal(await b.page.textContent('header h1'), 'PromQL Workbench');
  const status = await b.page.textContent('.engine-version');
  assert.match(status, /^engine \d+\.\d+\.\d+( · evaluator not in this build)?$/);
  // The worker's files load relative to the page, under the sub-path.
  for (const file of ['worker_loader.js', 'worker.js', 'worker_bg.wasm']) {
    assert.ok(requests.includes(server.url + file), `${file} loads from the sub-path`);
  }
  await screenshot(b.page, 'workbench-loaded');
  assert.deepEqual(b.errors, []);
});

test('a function is completed from the keyboard, with its signature and doc', async () => {
  await open();
  await typeQuery('histogram_q');
  await b.page.waitForSelector('.completion.open');
  assert.equal(await b.page.textContent('#completion-0 .label'), 'histogram_quantile');
  assert.match(await b.page.textContent('.completion-doc code'), /^histogram_quantile\(scalar, instant vector\) → instant vector$/);
  assert.match(await b.page.textContent('.completion-doc p'), /quantile/);
  await screenshot(b.page, 'completion-function');
  await b.page.keyboard.press('Tab');
  assert.equal(await value(), 'histogram_quantile(');
  await b.page.keyboard.type('0.9, sum by (le) (rate(x_bucket[');
  // Inside brackets, durations are offered.
  await b.page.waitForSelector('.completion.open');
  assert.equal(await b.page.textContent('#completion-0 .label'), '1m');
  await b.page.keyboard.press('ArrowDown');
  await b.page.keyboard.press('ArrowDown');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type(']))');
  await b.page.keyboard.type(')');
  assert.equal(await value(), 'histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))');
  await b.page.keyboard.press('Escape');
  // The worker parsed it: no error is listed.
  await b.page.waitForTimeout(300);
  assert.equal(await b.page.locator('.diagnostic').count(), 0);
  assert.deepEqual(b.errors, []);
});

test('metric names come from the scenario, with their TYPE and HELP', async () => {
  await open();
  await b.page.waitForSelector('#scenario option[value="demo"]', { state: 'attached' });
  assert.equal(await b.page.inputValue('#scenario'), 'demo');
  assert.match(await b.page.textContent('.scenario-details'), /Incidents in this window/);
  await typeQuery('rate(demo_api_request_duration_seconds_c');
  await b.page.waitForSelector('.completion.open');
  assert.equal(await b.page.textContent('#completion-0 .label'), 'demo_api_request_duration_seconds_count');
  assert.equal(await b.page.textContent('.completion-doc code'), 'histogram');
  assert.match(await b.page.textContent('.completion-doc p'), /histogram of the API HTTP request durations/i);
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type('{');
  await b.page.waitForSelector('.completion.open');
  const labels = await b.page.locator('.completion-item .label').allTextContents();
  assert.ok(labels.includes('instance') && labels.includes('job'), labels.join(', '));
  await screenshot(b.page, 'completion-labels');
  assert.deepEqual(b.errors, []);
});

test('a parse error is underlined and explained with a hint', async () => {
  await open();
  await typeQuery('rate(http_requests_total)');
  await b.page.waitForSelector('.diagnostic');
  assert.equal(await b.page.textContent('.diagnostic .position'), '1:6');
  assert.match(await b.page.textContent('.diagnostic .message'), /needs a range vector/);
  assert.equal(await b.page.textContent('.diagnostic .diag-hint'), 'hint: add a range such as [5m]: rate(http_requests_total[5m])');
  assert.equal(await b.page.textContent('.editor-overlay .err'), 'http_requests_total');
  await screenshot(b.page, 'parse-error');
  assert.deepEqual(b.errors, []);
});

test('Format rewrites the query in canonical form', async () => {
  await open();
  await typeQuery('sum(rate(http_requests_total{job="api",code=~"5.."}[5m]))by(job)');
  await b.page.click('.editor-actions button:text-is("Format")');
  await b.page.waitForFunction(() => document.querySelector('#query-input').value.startsWith('sum by (job)'));
  assert.equal(await value(), 'sum by (job) (rate(http_requests_total{code=~"5..",job="api"}[5m]))');
  assert.deepEqual(b.errors, []);
});

test('running a query answers from the worker, honestly', async () => {
  await open();
  await typeQuery('up');
  await b.page.keyboard.press('Control+Enter');
  const engine = !(await b.page.textContent('.engine-version')).includes('not in this build');
  if (engine) {
    await b.page.waitForSelector('.graph:not(.hidden), .run-error');
  } else {
    await b.page.waitForSelector('.run-error');
    assert.match(await b.page.textContent('.run-error'), /engine is not available in this build/);
  }
  await screenshot(b.page, 'run');
  // The query went into the history, which survives a reload.
  await b.page.reload();
  await b.page.click('.history summary');
  assert.equal(await b.page.textContent('.history-entry code'), 'up');
  assert.deepEqual(b.errors, []);
});

test('Explain shows the tree and a hint whose fix rewrites the query', async () => {
  await open();
  await typeQuery('histogram_quantile(0.9, sum(rate(demo_api_request_duration_seconds_bucket[5m])))');
  await b.page.click('#tab-explain');
  await b.page.waitForSelector('.tree .node');
  assert.equal(await b.page.locator('.tree .node').count(), 5);
  assert.equal(await b.page.textContent('.tree .node:nth-child(3) .node-text'), 'sum(…)');
  assert.equal(await b.page.getAttribute('.hint', 'data-rule'), 'quantile_without_le');
  await screenshot(b.page, 'explain-hint');
  await b.page.click('.apply-fix');
  await b.page.waitForFunction(() => document.querySelector('#query-input').value.includes('by (le)'));
  assert.equal(await value(), 'histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))');
  await b.page.waitForSelector('.hints-none');
  // Hints read the scenario's metadata: rate() over a gauge suggests deriv().
  await typeQuery('rate(demo_api_http_requests_in_progress[5m])');
  await b.page.waitForSelector('.hint[data-rule="rate_on_gauge"]');
  await b.page.click('.hint[data-rule="rate_on_gauge"] .apply-fix');
  await b.page.waitForFunction(() => document.querySelector('#query-input').value.startsWith('deriv('));
  assert.equal(await value(), 'deriv(demo_api_http_requests_in_progress[5m])');
  assert.deepEqual(b.errors, []);
});

test('the URL carries the view and restores it', async () => {
  await open();
  await typeQuery('sum by (job) (up)');
  await b.page.click('.presets button:has-text("1h")');
  await b.page.fill('#step', '30s');
  await b.page.press('#step', 'Enter');
  await b.page.click('#tab-explain');
  await b.page.waitForFunction(() => ['q=sum', 'tab=explain', 'step=30s', 'range=1h', 'scenario=demo'].every((p) => location.search.includes(p)));
  const url = b.page.url();
  assert.ok(url.startsWith(server.url + '?'), `a relative link under the sub-path: ${url}`);
  const again = await b.context.newPage();
  await again.goto(url);
  await again.waitForSelector('.tree .node');
  assert.equal(await again.inputValue('#query-input'), 'sum by (job) (up)');
  assert.equal(await again.getAttribute('#tab-explain', 'aria-selected'), 'true');
  assert.equal(await again.getAttribute('.presets button:has-text("1h")', 'aria-pressed'), 'true');
  assert.equal(await again.inputValue('#step'), '30s');
  await again.close();
  assert.deepEqual(b.errors, []);
});

test('at 390 px wide everything fits and every control has a name', async () => {
  await b.page.setViewportSize({ width: 390, height: 844 });
  try {
    await open();
    await typeQuery('rate(http_requests_total)');
    await b.page.waitForSelector('.diagnostic');
    const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await screenshot(b.page, 'narrow-390');
    // The time range is compact: presets, step and end time on at most two rows.
    const rows = await b.page.evaluate(() => {
      // Controls on one row share their vertical centre (the row aligns them centred).
      const centres = [...document.querySelectorAll('.time-range button, .time-range input')]
        .map((el) => { const r = el.getBoundingClientRect(); return (r.top + r.bottom) / 2; })
        .sort((a, b) => a - b);
      return centres.filter((c, i) => i === 0 || c - centres[i - 1] > 12).length;
    });
    assert.ok(rows <= 2, `the time range takes ${rows} rows`);
    const height = await b.page.evaluate(() => document.querySelector('.time-range').getBoundingClientRect().height);
    assert.ok(height <= 90, `the time range is ${height}px tall`);
    // The keyboard goes through it in reading order.
    await b.page.focus('.presets button');
    const order = [];
    for (let i = 0; i < 5; i += 1) {
      await b.page.keyboard.press('Tab');
      order.push(await b.page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
    }
    assert.deepEqual(order, ['1h', '6h', '24h', 'step', 'end-time']);
    // Every control is labelled: by a <label>, aria-label or its own text.
    const unnamed = await b.page.evaluate(() =>
      [...document.querySelectorAll('button, input, select, textarea, summary')]
        .filter((el) => el.offsetParent !== null)
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
        .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
  } finally {
    await b.page.setViewportSize({ width: 1280, height: 800 });
  }
  assert.deepEqual(b.errors, []);
});

test('the keyboard reaches the editor, the buttons and the tabs', async () => {
  await open();
  await b.page.focus('#query-input');
  await b.page.keyboard.type('up');
  await b.page.keyboard.press('Escape');
  const order = [];
  for (let i = 0; i < 8; i += 1) {
    await b.page.keyboard.press('Tab');
    order.push(await b.page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim()));
  }
  for (const name of ['Run', 'Format', 'History', 'tab-graph']) {
    assert.ok(order.includes(name), `${name} is reachable: ${order.join(', ')}`);
  }
  // Arrow keys move between tabs.
  await b.page.focus('#tab-graph');
  await b.page.keyboard.press('ArrowRight');
  assert.equal(await b.page.evaluate(() => document.activeElement.id), 'tab-table');
  assert.equal(await b.page.getAttribute('#tab-table', 'aria-selected'), 'true');
  assert.deepEqual(b.errors, []);
});
