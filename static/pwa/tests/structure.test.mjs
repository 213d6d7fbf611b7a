// The field app's layers, read from its source (docs/field-app.md "Modules"): js/db.js alone
// opens IndexedDB; the views (js/ui/**) never read it themselves (they ask js/store.js); every
// import names a file that exists; and no module imports itself through others (no cycle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url)); // static/pwa/

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const rel = (p) => relative(ROOT, p).split('\\').join('/');
const MODULES = [...walk(join(ROOT, 'js')).filter((p) => p.endsWith('.js')), join(ROOT, 'sw.js')].map(rel).sort();
const source = (name) => readFileSync(join(ROOT, name), 'utf8');

/** The source without its comments (prose may name what code must not use). */
const code = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/** The modules a module imports: `import … from`, `export … from`, `import '…'` and
 * `import('…')` with a literal specifier, resolved against the importing file. */
export function importsOf(name, text = source(name)) {
  const specs = [];
  const patterns = [
    /\bimport\s+[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code(text).matchAll(re)) specs.push(m[1]);
  return [...new Set(specs)].map((spec) => (spec.startsWith('/')
    ? spec.slice(1)
    : rel(resolve(dirname(join(ROOT, name)), spec))));
}

const GRAPH = new Map(MODULES.map((m) => [m, importsOf(m)]));

/** Every cycle found by a depth-first walk, each as the list of modules around it. */
export function cycles(graph) {
  const found = [];
  const state = new Map(); // module -> 'open' (on the current path) | 'done'
  const path = [];
  const visit = (m) => {
    state.set(m, 'open');
    path.push(m);
    for (const next of graph.get(m) || []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(m, 'done');
  };
  for (const m of graph.keys()) if (!state.has(m)) visit(m);
  return found;
}

test('the import parser finds every kind of import, and the walk finds a cycle', () => {
  const text = `import { a } from './a.js';\nimport * as b from "../b.js";\nexport { c } from './c.js';\n`
    + `import './d.js';\nconst e = await import('./e.js');\n// import { f } from './f.js';\nimport {\n  g,\n} from './g.js';`;
  assert.deepEqual(importsOf('js/ui/x.js', text), ['js/ui/a.js', 'js/b.js', 'js/ui/g.js', 'js/ui/c.js', 'js/ui/d.js', 'js/ui/e.js']);
  const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(cycles(graph), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', []]])), []);
});

test('every module the app imports exists', () => {
  assert.ok(MODULES.includes('js/app.js') && MODULES.includes('js/ui/form.js') && MODULES.length > 30);
  const missing = [...GRAPH].flatMap(([m, deps]) => deps.filter((d) => !existsSync(join(ROOT, d))).map((d) => `${m} -> ${d}`));
  assert.deepEqual(missing, []);
});

test('no module imports itself through others (no import cycle)', () => {
  assert.ok(GRAPH.get('js/ui/home.js').length > 0);
  assert.deepEqual(cycles(GRAPH).map((c) => c.join(' -> ')), []);
});

test('js/db.js alone opens IndexedDB', () => {
  const opening = /\bindexedDB\b|\bIDBKeyRange\b|\.open\(\s*name\s*,\s*DB_VERSION/;
  const others = MODULES.filter((m) => m !== 'js/db.js' && opening.test(code(source(m))));
  assert.deepEqual(others, []);
  assert.match(source('js/db.js'), /globalThis\.indexedDB/);
});

test('the views (js/ui/**) never read IndexedDB themselves: no db.js, no app.db, no openDB', () => {
  const views = MODULES.filter((m) => m.startsWith('js/ui/'));
  assert.ok(views.includes('js/ui/home.js') && views.includes('js/ui/widgets/field.js'));
  const importsDb = views.filter((m) => GRAPH.get(m).includes('js/db.js'));
  assert.deepEqual(importsDb, [], 'ask app.store (js/store.js) instead');
  const touches = /\bindexedDB\b|\bopenDB\b|\bopenDatabase\b|\bIDB[A-Z]\w*|\.db\b/;
  const reading = views.filter((m) => touches.test(code(source(m))));
  assert.deepEqual(reading, [], 'ask app.store (js/store.js) instead');
});
