// The sync code the page and the service worker share: one run at a time per origin (the Web
// Lock every run holds), what a Background Sync run's outcome means for the browser (retry or
// not), and that every module the service worker imports runs in a worker (no window, no
// document, no localStorage). The runs themselves are tested in Chromium
// (tests/browser/test_background_sync.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backgroundVerdict, SYNC_LOCK, Syncer } from '../js/sync.js';

const ROOT = new URL('../', import.meta.url);

/** The Web Locks API's exclusive request, enough of it: one holder per name, FIFO. */
function fakeLocks() {
  const tails = new Map();
  const log = [];
  return {
    log,
    request(name, callback) {
      const before = tails.get(name) || Promise.resolve();
      const run = before.then(async () => {
        log.push(`take ${name}`);
        try {
          return await callback({ name, mode: 'exclusive' });
        } finally {
          log.push(`free ${name}`);
        }
      });
      tails.set(name, run.catch(() => {}));
      return run;
    },
  };
}

function syncer(locks, name, trace) {
  const s = new Syncer({ db: {}, api: {}, session: {}, deviceId: 'dev', locks });
  s.once = async () => {
    trace.push(`${name} start`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    trace.push(`${name} end`);
    return { ok: true };
  };
  return s;
}

test('a run holds the sync lock from its start to its end', async () => {
  const locks = fakeLocks();
  const trace = [];
  const s = syncer(locks, 'page', trace);
  s.once = async () => {
    trace.push(...locks.log.splice(0));
    return { ok: true };
  };
  await s.run();
  assert.equal(SYNC_LOCK, 'homeward-sync');
  assert.deepEqual([...trace, ...locks.log], ['take homeward-sync', 'free homeward-sync']);
});

test('two contexts (a page and the worker) never run at once; each runs in full', async () => {
  const locks = fakeLocks();
  const trace = [];
  const page = syncer(locks, 'page', trace);
  const worker = syncer(locks, 'worker', trace);
  const first = page.run();
  const second = worker.run();
  assert.equal(page.run(), first); // a call during the page's run joins it
  await Promise.all([first, second]);
  assert.deepEqual(trace, ['page start', 'page end', 'worker start', 'worker end']);
  await Promise.all([worker.run(), page.run()]);
  assert.deepEqual(trace.slice(4), ['worker start', 'worker end', 'page start', 'page end']);
});

test('a failed run frees the lock for the next one', async () => {
  const locks = fakeLocks();
  const s = new Syncer({ db: {}, api: {}, session: {}, deviceId: 'dev', locks });
  s.once = async () => { throw new Error('disk full'); };
  await assert.rejects(s.run(), /disk full/);
  const trace = [];
  await syncer(locks, 'worker', trace).run();
  assert.deepEqual(trace, ['worker start', 'worker end']);
});

test('Background Sync retries only what a retry can fix', () => {
  assert.equal(backgroundVerdict({ ok: true, busy: false }), 'done');
  assert.equal(backgroundVerdict({ ok: true, busy: true }), 'retry'); // a file the server still receives
  assert.equal(backgroundVerdict({ ok: true, busy: false }, 2), 'retry'); // changes left waiting
  assert.equal(backgroundVerdict({ ok: false, error: { code: 'sign_in' } }), 'stop'); // nobody signed in
  assert.equal(backgroundVerdict({ ok: false, error: { status: 401, code: 'invalid_token' } }), 'stop');
  assert.equal(backgroundVerdict({ ok: false, error: { status: 0, code: 'network', network: true } }), 'retry');
  assert.equal(backgroundVerdict({ ok: false, error: { status: 503, code: 'unavailable' } }), 'retry');
  assert.equal(backgroundVerdict({ ok: false, error: { status: 429, code: 'rate_limited' } }), 'retry');
});

// --- what the service worker imports -----------------------------------------------------------

const importsOf = (source) => [...source.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
// the code without comments and string literals ('window' as a client type is no window)
const code = (source) => source
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
  .replace(/\/\/.*$/gm, '');

function workerGraph() {
  const seen = new Map();
  const visit = (url) => {
    if (seen.has(url.href)) return;
    const source = readFileSync(fileURLToPath(url), 'utf8');
    seen.set(url.href, source);
    for (const spec of importsOf(source)) visit(new URL(spec, url));
  };
  visit(new URL('sw.js', ROOT));
  return seen;
}

test('every module the service worker imports runs in a worker', () => {
  const graph = workerGraph();
  const names = [...graph.keys()].map((href) => href.slice(ROOT.href.length)).sort();
  assert.ok(names.includes('js/sync.js') && names.includes('js/db.js') && names.includes('js/session.js'), names.join(' '));
  assert.ok(!names.some((n) => n.startsWith('js/ui/') || n === 'js/app.js'), names.join(' '));
  const missing = /\b(window|document|localStorage|sessionStorage|alert|confirm|XMLHttpRequest)\b|location\.reload|\bimport\s*\(/;
  for (const [href, source] of graph) {
    const lines = code(source).split('\n');
    const bad = lines.map((line, i) => [i + 1, line]).filter(([, line]) => missing.test(line));
    assert.deepEqual(bad, [], `${href} uses what a service worker lacks`);
  }
});
