// The built site loads from a sub-path, renders the workbench and reacts to input.
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

test('the page renders from a sub-path with no failed request', async () => {
  const response = await b.page.goto(server.url);
  assert.equal(response.status(), 200);
  await b.page.waitForSelector('header h1', { timeout: 30_000 });
  assert.equal(await b.page.textContent('header h1'), 'PromQL Workbench');
  const version = await b.page.textContent('.engine-version');
  assert.match(version, /^engine \d+\.\d+\.\d+$/);
  await screenshot(b.page, 'shell-loaded');
  assert.deepEqual(b.errors, []);
});

test('typing a query updates the result panel', async () => {
  await b.page.fill('#query-input', 'up');
  await b.page.waitForFunction(() => document.querySelector('.result-panel .status')?.textContent === 'Query ready.');
  await screenshot(b.page, 'shell-typed');
  assert.deepEqual(b.errors, []);
});
