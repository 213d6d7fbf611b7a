// The tablet's expression evaluator (js/expr.js) against the shared vectors in
// tests/vectors/expressions.json, the same file the server's evaluator is tested with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ExpressionError, evaluate, evaluateBool, parse, references } from '../js/expr.js';

const vectorsUrl = new URL('../../../tests/vectors/expressions.json', import.meta.url);
const VECTORS = JSON.parse(readFileSync(vectorsUrl, 'utf8'));
const SPECIAL = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

const decode = (v) => (Array.isArray(v) ? v.map(decode) : v !== null && typeof v === 'object' ? SPECIAL[v.number] : v);

// Same type and value; numbers within 1e-9 (relative above 1), NaN equals NaN.
function same(actual, expected) {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
    if (!Number.isFinite(expected) || !Number.isFinite(actual)) return actual === expected;
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
  }
  return actual === expected;
}

const contextFor = (c) => ({
  lookup: (name) => (Object.hasOwn(c.values, name) ? c.values[name] : undefined),
  current: c.current,
  today: c.today,
  now: c.now,
});

test('the vectors file has at least 180 cases', () => {
  assert.ok(VECTORS.length >= 180);
});

VECTORS.forEach((c, i) => {
  test(`${String(i).padStart(3, '0')}: ${c.expr.slice(0, 50)}`, () => {
    const ctx = contextFor(c);
    if (c.error) {
      assert.throws(() => evaluate(c.expr, ctx), ExpressionError);
      return;
    }
    const expected = decode(c.expected);
    const actual = evaluate(c.expr, ctx);
    assert.ok(same(actual, expected), `${c.expr}: got ${JSON.stringify(actual)} (${actual}), expected ${JSON.stringify(c.expected)}`);
  });
});

test('a syntax error names its position', () => {
  assert.throws(() => parse('1 + * 2'), (e) => e instanceof ExpressionError && e.position === 4 && /at character 5/.test(e.message));
});

test('positions count code points, as in Python', () => {
  assert.throws(() => parse("'កម្ពុជា' +"), (e) => e.position === 11 && /end of expression/.test(e.message));
  assert.throws(() => parse("'😀' ) "), (e) => e.position === 4);
});

test('unknown functions and wrong argument counts fail at parse time', () => {
  assert.throws(() => parse("${a} + pulldata('x', 'y', 'z', 'w')"), /unknown function 'pulldata\(\)' at character 8/);
  assert.throws(() => parse('if(${a}, 1)'), /if\(\) takes 3 arguments, got 2/);
});

test('an unknown field fails at evaluation, naming it', () => {
  const ctx = { lookup: () => undefined, today: '2026-11-24', now: '2026-11-24T08:00:00+07:00' };
  assert.throws(() => evaluate("${ghost} = 'yes'", ctx), /unknown field '\$\{ghost\}'/);
});

test('references lists each field once', () => {
  assert.deepEqual(references("${a} + count(${b}) > ${a} and selected(${c_1.x}, 'd') and . > 0"), new Set(['a', 'b', 'c_1.x']));
  assert.deepEqual(references("concat('${not_a_ref}', 'x')"), new Set());
});

test('bare names read columns of the choice row in a choice filter', () => {
  const ctx = { lookup: () => 'kandal', current: { name: 'ks', province: 'kandal' }, today: '2026-11-24', now: '2026-11-24T08:00:00Z' };
  assert.equal(evaluateBool('province = ${province}', ctx), true);
  assert.equal(evaluate('toString', ctx), '', 'only own columns, not Object.prototype');
  assert.throws(() => evaluate('province', { ...ctx, current: null }), /no choice row/);
});

test('evaluateBool applies XPath boolean()', () => {
  const values = { m: [], s: 'no', n: 0 };
  const ctx = { lookup: (k) => values[k], today: '2026-11-24', now: '2026-11-24T08:00:00Z' };
  assert.equal(evaluateBool('${m}', ctx), false);
  assert.equal(evaluateBool('${s}', ctx), true);
  assert.equal(evaluateBool('${n} + 1', ctx), true);
});

test('deep nesting is an ExpressionError, not a stack overflow', () => {
  assert.throws(() => parse(`${'-'.repeat(500)}1`), /nested too deeply/);
});
