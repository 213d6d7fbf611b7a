// The tablet's three-way merge (js/merge.js) against the shared vectors in
// tests/vectors/merge.json, the same table the server's merge (app/sync/merge.py) passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { changedPaths, merge3, parsePath, sameValue, valueAt } from '../js/merge.js';

const vectorsUrl = new URL('../../../tests/vectors/merge.json', import.meta.url);
const VECTORS = JSON.parse(readFileSync(vectorsUrl, 'utf8'));

test('the vectors file has at least 40 cases', () => {
  assert.ok(VECTORS.length >= 40);
});

for (const c of VECTORS) {
  test(c.name, () => {
    const before = structuredClone([c.base, c.server, c.client]);
    const result = merge3(c.base, c.server, c.client, { rowKeys: c.row_keys ?? undefined });
    assert.deepStrictEqual(result.data, c.expected_data);
    assert.deepStrictEqual(result.clashes, c.expected_clashes);
    assert.deepStrictEqual(result.clientChanged, c.expected_client_changed);
    assert.deepStrictEqual([c.base, c.server, c.client], before, 'inputs are not mutated');
  });
}

test('the merged data shares nothing with the inputs', () => {
  const base = { g: { a: 1 }, m: [{ _row_id: 'r1', x: [1] }] };
  const server = { g: { a: 1 }, m: [{ _row_id: 'r1', x: [1] }], s: { k: 1 } };
  const client = { g: { a: 2 }, m: [{ _row_id: 'r1', x: [1] }] };
  const before = structuredClone([base, server, client]);
  const { data } = merge3(base, server, client);
  data.g.a = 99;
  data.m[0].x.push(2);
  data.s.k = 99;
  assert.deepStrictEqual([base, server, client], before);
});

test('a field named __proto__ is data, not a prototype', () => {
  const base = JSON.parse('{"__proto__": {"a": 1}}');
  const server = JSON.parse('{"__proto__": {"a": 2}}');
  const client = JSON.parse('{"__proto__": {"a": 1}, "b": 1}');
  const { data } = merge3(base, server, client);
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.deepStrictEqual(Object.keys(data), ['__proto__', 'b']);
  assert.deepStrictEqual(Object.getOwnPropertyDescriptor(data, '__proto__').value, { a: 2 });
});

test('values are equal as JSON values', () => {
  assert.equal(sameValue(true, 1), false);
  assert.equal(sameValue(null, undefined), false);
  assert.equal(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 }), true);
  assert.equal(sameValue({ a: null }, {}), false);
  assert.equal(sameValue([1, 2], [2, 1]), false);
});

test('paths parse into names and row keys, and lead to values', () => {
  assert.deepStrictEqual(parsePath('members[0b6c-8f3e].illnesses[i1].treated'), [
    ['members', '0b6c-8f3e'],
    ['illnesses', 'i1'],
    ['treated', null],
  ]);
  for (const bad of ['', 'a.', 'a[]', 'a[x]y', '1a', 'a[x][y]']) assert.throws(() => parsePath(bad));
  const data = { members: [{ _row_id: 'r1', illnesses: [{ illness_id: 'i1', treated: 'no' }] }] };
  const rowKeys = { 'members[].illnesses': 'illness_id' };
  assert.equal(valueAt(data, 'members[r1].illnesses[i1].treated', { rowKeys }), 'no');
  assert.equal(valueAt(data, 'members[r2]'), undefined);
  assert.deepStrictEqual(changedPaths({ a: 1 }, { a: 1, b: null }), ['b']);
});
