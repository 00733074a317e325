// The built app against a real Prometheus (Debian's package) scraping `simulator serve`:
// switch the data source, see the server's version, run a query, the graph is drawn and the
// table equals the API's own answer, Explain sends one query per node; a server that does not allow the page's origin gives
// the CORS message with the flag to set. Skipped, loudly, only when prometheus is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, serveDist, openBrowser, screenshot } from './harness.mjs';

const PROMETHEUS = '/usr/bin/prometheus';
const missing = !existsSync(PROMETHEUS);
if (missing) {
  console.error('\n!!! SKIPPING e2e/prometheus.test.mjs: /usr/bin/prometheus is missing. Install Debian\'s '
    + '`prometheus` package (apt-get install -y --no-install-recommends prometheus).\n');
}

const children = [];
let dir;
let server;
let b;
let promUrl;
let strictUrl;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitFor(what, ok, ms = 60_000) {
  const start = Date.now();
  for (;;) {
    try { if (await ok()) return; } catch { /* not yet */ }
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function api(base, path) {
  const r = await fetch(base + path);
  return r.json();
}

function startPrometheus(config, port, extra = []) {
  const data = mkdtempSync(join(dir, 'data-'));
  const cfg = join(dir, `prometheus-${port}.yml`);
  writeFileSync(cfg, config);
  const p = spawn(PROMETHEUS, [`--config.file=${cfg}`, `--storage.tsdb.path=${data}`,
    `--web.listen-address=127.0.0.1:${port}`, ...extra], { stdio: 'ignore' });
  children.push(p);
  return `http://127.0.0.1:${port}`;
}

before(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'workbench-prom-'));
  // The simulator binary: built if this run has not built it yet (a no-op otherwise).
  const build = spawnSync('cargo', ['build', '-q', '-p', 'simulator', '--bin', 'simulator'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(build.status, 0, 'building the simulator failed');
  const servePort = await freePort();
  const serve = spawn(join(ROOT, 'target', 'debug', 'simulator'),
    ['serve', '--scenario', 'demo', '--listen', `127.0.0.1:${servePort}`], { stdio: 'ignore' });
  children.push(serve);
  let help = '';
  await waitFor('simulator serve', async () => { help = await (await fetch(`http://127.0.0.1:${servePort}/`)).text(); return true; });
  // The scrape configuration the serve help page offers, every second.
  const config = 'scrape_configs:' + help.split('scrape_configs:')[1].replace('scrape_interval: 15s', 'scrape_interval: 1s');
  // Prometheus' default --web.cors.origin is '.*': the page's origin is allowed.
  promUrl = startPrometheus(config, await freePort());
  strictUrl = startPrometheus('scrape_configs: []\n', await freePort(), ['--web.cors.origin=http://elsewhere\\.example']);
  for (const u of [promUrl, strictUrl]) {
    await waitFor(`${u} ready`, async () => (await fetch(`${u}/-/ready`)).ok);
  }
  await waitFor('three demo targets scraped a few times', async () => {
    const j = await api(promUrl, '/api/v1/query?query=' + encodeURIComponent('count_over_time(up{job="demo"}[1m])'));
    return j.data.result.length === 3 && j.data.result.every((r) => Number(r.value[1]) >= 8);
  });
  server = await serveDist();
  b = await openBrowser();
});

after(async () => {
  await b?.browser.close();
  server?.close();
  for (const c of children) c.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openAndConnect(url) {
  await b.page.goto(server.url);
  await b.page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
  // The box is folded while the simulator is the source.
  assert.equal(await b.page.textContent('.data-source summary'), 'Data source: Simulator');
  await b.page.click('.data-source summary');
  await b.page.selectOption('select[aria-label="Data source"]', 'server');
  await b.page.fill('input[aria-label="Server URL"]', url);
  await b.page.click('.server-form button[type="submit"]');
}

test('the app queries a real Prometheus: version, graph, table equal to the API', { skip: missing }, async () => {
  await openAndConnect(promUrl);
  await b.page.waitForSelector('.server-status.connected', { timeout: 20_000 });
  assert.match(await b.page.textContent('.server-status'), /^Prometheus 2\.\d+\.\d+\S* · \d+ ms round trip$/);

  await b.page.fill('#query-input', 'up');
  await b.page.click('#tab-graph');
  // The server has scraped for seconds only: a 15m window's steps (a few seconds apart) reach
  // its data, where the 6h default's last step can fall before its first scrape.
  await b.page.click('.presets button.preset:has-text("15m")');
  await b.page.click('.editor-actions button.primary');
  await b.page.waitForSelector('.graph:not(.hidden) .stats:has-text("series")', { timeout: 30_000 });
  assert.match(await b.page.textContent('.graph:not(.hidden) .stats'), /^3 series · [1-9]\d* samples/);
  const inked = await b.page.evaluate(() => {
    const c = document.querySelector('.graph-canvas');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) n++;
    return n;
  });
  assert.ok(inked > 1000, `the graph is drawn (${inked} pixels)`);
  await screenshot(b.page, 'prometheus-graph');

  await b.page.click('#tab-table');
  await b.page.click('.editor-actions button.primary');
  await b.page.waitForSelector('.result-table tbody tr', { timeout: 30_000 });
  const rows = await b.page.$$eval('.result-table tbody tr', (trs) => trs.map((tr) => [
    tr.querySelector('td.series').textContent, tr.querySelector('td.value').textContent]));
  const direct = await api(promUrl, '/api/v1/query?query=up');
  const want = direct.data.result.map((r) => {
    const { __name__: name, ...rest } = r.metric;
    const labels = Object.keys(rest).sort().map((k) => `${k}="${rest[k]}"`).join(', ');
    return [`${name}{${labels}}`, r.value[1]];
  }).sort();
  assert.deepEqual(rows.map(([s, v]) => [s, v]).sort(), want);
  await screenshot(b.page, 'prometheus-table');

  // Explain: one query per node, sent to the server.
  // Recording starts before the tab switch: after a run, switching tabs runs again, and a
  // quick server can answer before the Run click below (the explanation is then not asked
  // again for the same text).
  const sent = [];
  const record = (r) => { if (r.url().startsWith(promUrl + '/api/v1/query?')) sent.push(decodeURIComponent(new URL(r.url()).searchParams.get('query'))); };
  b.page.on('request', record);
  await b.page.fill('#query-input', 'sum by (job) (up)');
  await b.page.click('#tab-explain');
  await b.page.click('.editor-actions button.primary');
  await b.page.waitForFunction(() => document.querySelectorAll('.tree .node .node-stats').length === 2, null, { timeout: 30_000 });
  b.page.off('request', record);
  // Every node is asked (a node may be asked twice when the server's metadata arrives
  // during the run and the explanation is computed again).
  assert.deepEqual([...new Set(sent)].sort(), ['sum by (job) (up)', 'up']);
  assert.match(await b.page.textContent('.tree .node .node-stats'), /1 series/);
  await screenshot(b.page, 'prometheus-explain');
  assert.deepEqual(b.errors, []);
});

test('a server that does not allow the page\'s origin: CORS named, with the flag', { skip: missing }, async () => {
  b.errors.length = 0;
  await openAndConnect(strictUrl);
  await b.page.waitForSelector('.server-status.run-error', { timeout: 20_000 });
  const text = await b.page.textContent('.server-status');
  assert.match(text, /^Blocked by CORS: http:\/\/127\.0\.0\.1:\d+ answered/);
  assert.match(text, /--web\.cors\.origin='http:\/\/127\\\.0\\\.0\\\.1:\d+'/);
  await screenshot(b.page, 'prometheus-cors');
});
