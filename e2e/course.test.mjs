// The course as a learner and an instructor use it, in the real built site: the built-in
// packs, the real worker grading with the real engine, progress in localStorage, packs
// from a file and from a URL, export and import. Nothing here injects results. Screenshots
// land in target/e2e/ (1280×800 and 390 px wide; light and dark).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serveDist, openBrowser, screenshot, SHOTS } from './harness.mjs';

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

const SELECTORS = 'course-01-selectors';
/** An exercise graded over a range (graphs, not tables). */
const RANGE = 'course-08-alerts/kafka-consumer-lag';

/** Opens the page at `search` and waits for the worker. */
async function open(search, page = b.page) {
  const response = await page.goto(server.url + search);
  assert.equal(response.status(), 200);
  await page.waitForFunction(() => /^engine \d/.test(document.querySelector('.engine-version')?.textContent ?? ''), null, { timeout: 30_000 });
}

/** Opens the module list and waits for the packs. */
async function openCourse(page = b.page) {
  await open('?course', page);
  await page.waitForSelector('.module-list .pack', { timeout: 30_000 });
}

/** Replaces the editor's text by typing it. */
async function typeQuery(text, page = b.page) {
  await page.fill('#query-input', '');
  await page.type('#query-input', text);
  await page.keyboard.press('Escape');
}

/** Clicks Check and waits for the verdict on `query`; returns `pass` or `fail`. */
async function check(page = b.page) {
  await page.click('#check');
  const verdict = await page.waitForSelector('.verdict', { timeout: 60_000 });
  return (await verdict.getAttribute('class')).includes('pass') ? 'pass' : 'fail';
}

const row = (pack, id, page = b.page) =>
  page.locator(`.pack[data-pack="${pack}"] .exercise-item:has(a[href$="ex=${pack}/${id}"])`);

async function resetStorage(page = b.page) {
  await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
}

test('the module list shows every module of the course with its progress', async () => {
  await openCourse();
  await resetStorage();
  await openCourse();
  assert.equal(await b.page.locator('.module-list .pack').count(), 8);
  assert.ok(await b.page.locator('.exercise-item').count() >= 48);
  assert.match(await b.page.textContent('.course-summary'), /^0 of \d+ exercises done$/);
  assert.match(await b.page.textContent(`.pack[data-pack="${SELECTORS}"] .module-counts`), /^0 of 7 done · 0 tried$/);
  assert.equal(await b.page.getAttribute('.app-nav a[href="?course"]', 'aria-current'), 'page');
  // Each course pack is one module named as the pack: its title is shown once.
  const selectors = b.page.locator(`.pack[data-pack="${SELECTORS}"]`);
  assert.equal(await selectors.locator('h2').textContent(), '1. Selectors and matchers');
  assert.equal(await selectors.locator('h3').count(), 0);
  await screenshot(b.page, 'course-modules');
  assert.deepEqual(b.errors, []);
});

test('solving two exercises marks them done in the module list', async () => {
  await openCourse();
  await resetStorage();
  await openCourse();
  await row(SELECTORS, 'active-sessions').locator('a').click();
  await b.page.waitForSelector('.exercise[data-exercise="active-sessions"] .prompt');
  // The link says which exercise is open, under the sub-path.
  assert.ok(b.page.url().startsWith(server.url));
  await b.page.waitForFunction(() => location.search === '?course&ex=course-01-selectors/active-sessions');
  // The expected result is there before the learner types.
  await b.page.waitForSelector('.side.expected .result-table');
  await typeQuery('ebanking_active_sessions');
  assert.equal(await check(), 'pass');
  await b.page.waitForSelector('.side.mine .result-table');
  await screenshot(b.page, 'course-exercise-pass');
  // Next exercise, through the pack's navigation.
  await b.page.click('.exercise-nav a.next');
  await b.page.waitForSelector('.exercise[data-exercise="critical-fraud-alerts"]');
  await typeQuery('ebanking_fraud_alerts_total{severity="critical"}');
  assert.equal(await check(), 'pass');
  await b.page.click('.exercise-nav a.back');
  await b.page.waitForSelector('.module-list');
  assert.match(await row(SELECTORS, 'active-sessions').getAttribute('class'), /\bdone\b/);
  assert.match(await row(SELECTORS, 'critical-fraud-alerts').getAttribute('class'), /\bdone\b/);
  assert.match(await b.page.textContent(`.pack[data-pack="${SELECTORS}"] .module-counts`), /^2 of 7 done · 0 tried$/);
  assert.match(await b.page.textContent('.course-summary'), /^2 of \d+ exercises done$/);
  assert.deepEqual(b.errors, []);
});

test('Back and Forward step between the workbench, the module list and exercises; typing adds no entry', async () => {
  await open('?scenario=demo&q=up');
  const entries = () => b.page.evaluate(() => history.length);
  const search = (s) => b.page.waitForFunction((s) => location.search === s, s);
  const start = await entries();
  await b.page.click('.app-nav a[href="?course"]');
  await b.page.waitForSelector('.module-list .pack');
  await search('?course');
  await row(SELECTORS, 'active-sessions').locator('a').click();
  await b.page.waitForSelector('.exercise[data-exercise="active-sessions"] .prompt');
  await b.page.click('.exercise-nav a.next');
  await b.page.waitForSelector('.exercise[data-exercise="critical-fraud-alerts"] .prompt');
  await search(`?course&ex=${SELECTORS}/critical-fraud-alerts`);
  assert.equal(await entries(), start + 3, 'one entry per view');
  // Typing replaces the entry's link, it adds none.
  await typeQuery('ebanking_fraud');
  await b.page.waitForTimeout(400);
  assert.equal(await entries(), start + 3, 'typing added history entries');

  await b.page.goBack();
  await b.page.waitForSelector('.exercise[data-exercise="active-sessions"] .prompt');
  await search(`?course&ex=${SELECTORS}/active-sessions`);
  await b.page.goBack();
  await b.page.waitForSelector('.module-list .pack');
  await search('?course');
  await b.page.goBack();
  await b.page.waitForSelector('main.workbench');
  await search('?scenario=demo&q=up');
  assert.equal(await b.page.inputValue('#query-input'), 'up', 'the workbench\'s query is back');
  assert.ok(b.page.url().startsWith(server.url), 'still under the sub-path');

  await b.page.goForward();
  await b.page.waitForSelector('.module-list .pack');
  await b.page.goForward();
  await b.page.waitForSelector('.exercise[data-exercise="active-sessions"] .prompt');
  // Its last checked query is in the editor again, not the workbench's.
  await b.page.waitForFunction(() => document.querySelector('#query-input')?.value === 'ebanking_active_sessions');
  await b.page.goForward();
  await b.page.waitForSelector('.exercise[data-exercise="critical-fraud-alerts"] .prompt');
  await search(`?course&ex=${SELECTORS}/critical-fraud-alerts`);
  assert.deepEqual(b.errors, []);
});

test('a wrong answer gets structured feedback; hints come one at a time; the answer after a try', async () => {
  await open(`?course&ex=${SELECTORS}/critical-fraud-alerts`);
  await b.page.waitForSelector('.exercise .prompt');
  // Reveal stays disabled until a check (this exercise was checked in the test before, so
  // use a fresh exercise for that part).
  await open(`?course&ex=${SELECTORS}/${await thirdExercise()}`);
  await b.page.waitForSelector('.exercise .prompt');
  assert.equal(await b.page.isDisabled('#reveal-answer'), true);
  await b.page.click('#show-hint');
  await b.page.waitForSelector('.hint-list .hint');
  assert.equal(await b.page.locator('.hint-list .hint').count(), 1);
  await b.page.click('#show-hint');
  await b.page.waitForFunction(() => document.querySelectorAll('.hint-list .hint').length === 2);

  await open(`?course&ex=${SELECTORS}/critical-fraud-alerts`);
  await b.page.waitForSelector('.exercise .prompt');
  // A matcher value no series has: an empty result, the reason and the matcher underlined.
  await typeQuery('ebanking_fraud_alerts_total{severity="Critical"}');
  assert.equal(await check(), 'fail');
  const empty = b.page.locator('.feedback-item[data-kind="empty_result"]');
  await empty.waitFor();
  assert.match(await empty.locator('.feedback-span').textContent(), /Critical/);
  assert.ok((await empty.locator('.empty-reason').textContent()).length > 10);
  await screenshot(b.page, 'course-feedback-empty');
  // Every series: the extra ones are listed.
  await typeQuery('ebanking_fraud_alerts_total');
  assert.equal(await check(), 'fail');
  const extra = b.page.locator('.feedback-item[data-kind="extra_series"]');
  await extra.waitFor();
  assert.ok(await extra.locator('.series-list.extra li').count() >= 1);
  // A parse error: the parser's message, the span underlined.
  await typeQuery('ebanking_fraud_alerts_total{severity="critical"');
  assert.equal(await check(), 'fail');
  await b.page.locator('.feedback-item[data-kind="parse_error"] mark.feedback-span').waitFor();
  // After a try, the answer can be revealed.
  assert.equal(await b.page.isDisabled('#reveal-answer'), false);
  await b.page.click('#reveal-answer');
  assert.match(await b.page.textContent('.answer code'), /severity="critical"/);
  assert.deepEqual(b.errors, []);
});

/** The id of the selectors pack's third exercise, read from the module list. */
async function thirdExercise() {
  await openCourse();
  const href = await b.page.locator(`.pack[data-pack="${SELECTORS}"] .exercise-item a`).nth(2).getAttribute('href');
  return href.split('/').pop();
}

test('progress survives a reload, with the last query in the editor', async () => {
  await openCourse();
  assert.match(await row(SELECTORS, 'active-sessions').getAttribute('class'), /\bdone\b/);
  await b.page.reload();
  await b.page.waitForSelector('.module-list .pack', { timeout: 30_000 });
  assert.match(await row(SELECTORS, 'critical-fraud-alerts').getAttribute('class'), /\bdone\b/);
  await row(SELECTORS, 'active-sessions').locator('a').click();
  await b.page.waitForSelector('.exercise[data-exercise="active-sessions"]');
  await b.page.waitForFunction(() => document.querySelector('#query-input')?.value === 'ebanking_active_sessions');
  // The query last checked shows its result again.
  await b.page.waitForSelector('.side.mine .result-table');
  assert.deepEqual(b.errors, []);
});

test('text typed and not checked survives the module list, another exercise and a reload; Check replaces it', async () => {
  const id = await thirdExercise();
  const ex = `.exercise[data-exercise="${id}"]`;
  const editor = () => b.page.inputValue('#query-input');
  const drafts = () => b.page.evaluate(() => JSON.parse(localStorage.getItem('promql-workbench.drafts') ?? '{"drafts":[]}').drafts);
  await row(SELECTORS, id).locator('a').click();
  await b.page.waitForSelector(`${ex} .prompt`);
  // The placeholder suggests a metric of the exercise's scenario, not a fixed one.
  await b.page.waitForFunction(() => document.querySelector('#query-input')?.placeholder.startsWith('e.g. '));
  const placeholder = await b.page.getAttribute('#query-input', 'placeholder');
  assert.match(placeholder, /^e\.g\. (rate\()?[a-zA-Z_:][a-zA-Z0-9_:]*(\[5m\]\))?$/);
  assert.doesNotMatch(placeholder, /http_requests_total/);
  // Half a query, typed at a human pace: one write once typing pauses, not one per key.
  const partial = 'sum by (job) (ebanking_';
  await b.page.evaluate(() => {
    window.__draftWrites = 0;
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      if (k === 'promql-workbench.drafts') window.__draftWrites += 1;
      return set.call(this, k, v);
    };
  });
  await b.page.fill('#query-input', '');
  await b.page.type('#query-input', partial, { delay: 40 });
  await b.page.keyboard.press('Escape');
  await b.page.waitForFunction(() => window.__draftWrites > 0);
  await b.page.waitForTimeout(300);
  assert.equal(await b.page.evaluate(() => window.__draftWrites), 1);
  await b.page.click('.exercise-nav a.back');
  await b.page.waitForSelector('.module-list .pack');
  // Another exercise in between replaces the editor's text with its own.
  await row(SELECTORS, 'active-sessions').locator('a').click();
  await b.page.waitForSelector('.exercise[data-exercise="active-sessions"] .prompt');
  await b.page.waitForFunction((t) => document.querySelector('#query-input')?.value !== t, partial);
  await b.page.goBack();
  await b.page.waitForSelector('.module-list .pack');
  await row(SELECTORS, id).locator('a').click();
  await b.page.waitForSelector(`${ex} .prompt`);
  await b.page.waitForFunction((t) => document.querySelector('#query-input')?.value === t, partial);
  // Written once typing paused, not per keystroke: one entry, the whole text.
  assert.deepEqual((await drafts()).map((d) => [d.exercise, d.query]).filter(([e]) => e === id), [[id, partial]]);
  // A reload right after typing more still has it (the page writes when it is hidden).
  await b.page.type('#query-input', 'x');
  await b.page.reload();
  await b.page.waitForSelector(`${ex} .prompt`, { timeout: 30_000 });
  await b.page.waitForFunction((t) => document.querySelector('#query-input')?.value === t, `${partial}x`);
  // Check: the checked query replaces the draft, in the editor and in storage.
  const checked = 'ebanking_active_sessions';
  await typeQuery(checked);
  await check();
  await b.page.click('.exercise-nav a.back');
  await b.page.waitForSelector('.module-list .pack');
  await b.page.reload();
  await b.page.waitForSelector('.module-list .pack', { timeout: 30_000 });
  await row(SELECTORS, id).locator('a').click();
  await b.page.waitForSelector(`${ex} .prompt`);
  await b.page.waitForFunction((t) => document.querySelector('#query-input')?.value === t, checked);
  assert.equal(await editor(), checked);
  assert.deepEqual((await drafts()).filter((d) => d.exercise === id), []);
  // A damaged drafts store costs the drafts, never the course.
  await b.page.evaluate(() => localStorage.setItem('promql-workbench.drafts', '{"schema":"promql-workbench/drafts","version":1,"drafts":[7,{"pack":'));
  await b.page.reload();
  await b.page.waitForSelector(`${ex} .prompt`, { timeout: 30_000 });
  await b.page.waitForFunction((t) => document.querySelector('#query-input')?.value === t, checked);
  assert.equal(await b.page.locator('.notice-banner').count(), 0);
  assert.deepEqual(b.errors, []);
});

const EVIL_PACK = `[pack]
id = "evil-pack"
title = "A pack with HTML in it"
version = "1"
author = "someone"
licence = "CC0-1.0"

[[exercise]]
id = "up"
module = "Safety"
title = "Select up"
difficulty = "beginner"
prompt = """
Select \`up\`. <script>window.__pwned = "script"; alert("script")</script>

<img src=x onerror="window.__pwned = 'img'; alert('img')">

[a link](javascript:window.__pwned='link')
"""
reference = "up"
hints = ["<b onmouseover=alert(1)>bold</b>", "Type \`up\`."]
data = { scenario = "demo" }
eval = { at = ["10:00"] }

[[exercise.wrong]]
query = "up == 0"
feedback = "That keeps only the targets that are down."

[[exercise.wrong]]
query = "sum(up)"
feedback = "That adds them up."
`;

test('a pack from a local file loads; its HTML is shown as text and runs nothing', async () => {
  const dialogs = [];
  b.page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await openCourse();
  await b.page.click('.pack-loader summary');
  await b.page.setInputFiles('#pack-file', { name: 'evil.toml', mimeType: 'text/plain', buffer: Buffer.from(EVIL_PACK) });
  await b.page.waitForSelector('.pack[data-pack="evil-pack"]');
  await b.page.waitForFunction(() => location.search === '?pack=file%3Aevil.toml');
  // The panel closes and focus moves to the loaded pack's heading.
  await b.page.waitForFunction(() => document.activeElement?.matches('.pack[data-pack="evil-pack"] h2'));
  assert.equal(await b.page.locator('.pack-loader[open]').count(), 0);
  // A pack whose module is not named as the pack titles its module.
  assert.equal(await b.page.textContent('.pack[data-pack="evil-pack"] h3'), 'Safety0 of 1 done · 0 tried');
  assert.equal(await b.page.locator('.exercise-item').count(), 1);
  await b.page.click('.exercise-item a');
  await b.page.waitForSelector('.exercise[data-exercise="up"] .prompt');
  const prompt = b.page.locator('.exercise .prompt');
  // The tags are text on the page, and no element came from them.
  assert.match(await prompt.textContent(), /<script>window.__pwned = "script"/);
  assert.match(await prompt.textContent(), /<img src=x onerror=/);
  assert.equal(await prompt.locator('script, img, [onerror]').count(), 0);
  assert.equal(await prompt.locator('a[href^="javascript"]').count(), 0);
  await b.page.click('#show-hint');
  await b.page.waitForSelector('.hint-list .hint');
  assert.match(await b.page.textContent('.hint-list .hint'), /<b onmouseover=alert\(1\)>bold<\/b>/);
  await b.page.hover('.hint-list .hint');
  await screenshot(b.page, 'course-pack-file-escaped');
  // Graded like any pack.
  await typeQuery('up');
  assert.equal(await check(), 'pass');
  // A reload of the tab finds the file's pack again.
  await b.page.reload();
  await b.page.waitForSelector('.exercise[data-exercise="up"] .prompt', { timeout: 30_000 });
  assert.equal(await b.page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(b.errors, []);
});

test('a pack from a URL (?pack=) loads, with load errors naming file and line', async () => {
  const broken = EVIL_PACK.replace('id = "evil-pack"', 'id = "url-pack"') +
    '\n[[exercise]]\nid = "bad"\nmodule = "Safety"\ntitle = "Bad"\ndifficulty = "expert"\nprompt = "x"\nreference = "up"\nhints = ["a", "b"]\ndata = { scenario = "demo" }\neval = { at = ["10:00"] }\n';
  await b.page.route('**/packs/mine.toml', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: broken }));
  await open('?pack=packs/mine.toml');
  await b.page.waitForSelector('.pack[data-pack="url-pack"]', { timeout: 30_000 });
  assert.equal(await b.page.locator('.exercise-item').count(), 1);
  assert.match(await b.page.textContent('.pack-errors'), /packs\/mine\.toml:\d+: exercise\[2\]\.difficulty/);
  await b.page.unroute('**/packs/mine.toml');
  // A URL that does not answer says so.
  await open('?pack=packs/missing.toml');
  await b.page.waitForSelector('.course .run-error', { timeout: 30_000 });
  assert.match(await b.page.textContent('.course .run-error'), /packs\/missing\.toml could not be fetched: the server answered 404/);
  // Opened from the panel, a pack that fails leaves the panel open above the error.
  await openCourse();
  await b.page.click('.pack-loader summary');
  await b.page.fill('#pack-url', server.url + 'packs/missing.toml');
  await b.page.press('#pack-url', 'Enter');
  await b.page.waitForSelector('.course .run-error', { timeout: 30_000 });
  assert.equal(await b.page.locator('.pack-loader[open]').count(), 1);
  assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'pack-url');
  b.errors.length = 0; // The 404 itself is logged by the browser.
});

test('progress exports to a file and imports back', async () => {
  await openCourse();
  const [download] = await Promise.all([b.page.waitForEvent('download'), b.page.click('#export-progress')]);
  assert.equal(download.suggestedFilename(), 'promql-workbench-progress.json');
  const path = await download.path();
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(doc.schema, 'promql-workbench/progress');
  assert.equal(doc.version, 1);
  assert.equal(doc.packs[SELECTORS]['active-sessions'].status, 'done');
  // A fresh browser profile (storage cleared) imports it and has the progress back.
  await resetStorage();
  await openCourse();
  assert.match(await b.page.textContent('.course-summary'), /^0 of/);
  await b.page.setInputFiles('#import-progress', path);
  await b.page.waitForSelector('.notice-banner:has-text("Imported")');
  assert.match(await row(SELECTORS, 'active-sessions').getAttribute('class'), /\bdone\b/);
  assert.match(await b.page.textContent('.course-summary'), /^[3-9] of|^2 of/);
  // A file that is not progress is refused and changes nothing.
  await b.page.setInputFiles('#import-progress', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await b.page.waitForSelector('.notice-banner:has-text("notes.json cannot be imported")');
  assert.match(await row(SELECTORS, 'active-sessions').getAttribute('class'), /\bdone\b/);
  assert.deepEqual(b.errors, []);
});

test('a corrupt store is set aside with a notice, not lost', async () => {
  await openCourse();
  await b.page.evaluate(() => localStorage.setItem('promql-workbench.progress', '{"schema":"promql-workbench/progress","version":1,"packs":{"x"'));
  await b.page.reload();
  await b.page.waitForSelector('.notice-banner', { timeout: 30_000 });
  const notice = await b.page.textContent('.notice-banner p');
  const key = /"(promql-workbench\.progress\.set-aside\.\d+)"/.exec(notice)?.[1];
  assert.ok(key, notice);
  assert.equal(await b.page.evaluate((k) => localStorage.getItem(k), key), '{"schema":"promql-workbench/progress","version":1,"packs":{"x"');
  await screenshot(b.page, 'course-corrupt-store');
  b.errors.length = 0;
});

test('screenshots: narrow and dark', async () => {
  const context = await b.browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await openCourse(page);
  await screenshot(page, 'course-modules-390-dark');
  // The pack loader's inputs fit a phone.
  await page.click('.pack-loader summary');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the open pack loader scrolls the page sideways by ${overflow}px`);
  await open(`?course&ex=${SELECTORS}/critical-fraud-alerts`, page);
  await page.waitForSelector('.exercise .prompt');
  await typeQuery('ebanking_fraud_alerts_total', page);
  await page.click('#check');
  await page.waitForSelector('.verdict', { timeout: 60_000 });
  await page.waitForSelector('.side.mine .result-table');
  await screenshot(page, 'course-exercise-390-dark');
  // The viewport alone, where the verdict is, to read at its real size.
  await page.locator('.verdict').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/course-feedback-390-dark-viewport.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'course-exercise-1280-dark');
  // A range exercise shows the expected and the learner's graphs.
  await page.emulateMedia({ colorScheme: 'light' });
  await open(`?course&ex=${RANGE}`, page);
  await page.waitForSelector('.side.expected .graph:not(.hidden) canvas', { timeout: 60_000 });
  await page.locator('.result-pair').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/course-range-graphs-viewport.png` });
  await context.close();
  assert.deepEqual(errors, []);
});
