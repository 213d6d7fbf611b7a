// Evaluates every case of a vectors file with expr.js and prints one JSON result per case:
// {"ok": true, "value": ...} or {"ok": false, "expressionError": bool, "message": ...}.
// NaN and infinities are written {"number": "NaN"} as in the vectors file.
// Used by tests/unit/test_expressions_agree.py. Usage: node eval_vectors.mjs [cases.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluate, ExpressionError } from '../js/expr.js';

const file = process.argv[2] ?? fileURLToPath(new URL('../../../tests/vectors/expressions.json', import.meta.url));
const cases = JSON.parse(readFileSync(file, 'utf8'));

const encode = (v) => {
  if (typeof v === 'number' && !Number.isFinite(v)) return { number: String(v) };
  return Array.isArray(v) ? v.map(encode) : v;
};

const results = cases.map((c) => {
  const ctx = {
    lookup: (name) => (Object.hasOwn(c.values, name) ? c.values[name] : undefined),
    current: c.current,
    today: c.today,
    now: c.now,
  };
  try {
    return { ok: true, value: encode(evaluate(c.expr, ctx)) };
  } catch (e) {
    return { ok: false, expressionError: e instanceof ExpressionError, message: String(e && e.message) };
  }
});
process.stdout.write(JSON.stringify(results));
