// The form expression language (XLSForm / ODK XPath subset) on the tablet: the same
// semantics as app/forms/expressions.py (see docs/expressions.md), both checked against
// tests/vectors/expressions.json. Values: string, number, boolean, array; empty is ''.
// ctx = {lookup(name) (undefined: unknown field), current (in a choice filter: the choice
// row, whose columns bare names read), today, now}. Pure module.

export class ExpressionError extends Error {
  constructor(message, position = null) {
    super(position === null ? message : `${message} at character ${position + 1}`);
    this.name = 'ExpressionError';
    this.position = position;
  }
}

const MAX_DEPTH = 50;
const TOKEN = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|(\$\{)|([A-Za-z_][\w:]*(?:-[A-Za-z][\w:]*)*)|(!=|<=|>=|[=<>+\-*(),])/y;
const LEVELS = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']];

// Positions count code points, as in Python.
const fail = (src, message, at) => {
  throw new ExpressionError(message, Array.from(src.slice(0, at)).length);
};

function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    const next = src[i + 1];
    if (' \t\r\n'.includes(ch)) i++;
    else if (ch === "'" || ch === '"') {
      const end = src.indexOf(ch, i + 1);
      if (end < 0) fail(src, 'unterminated string', i);
      tokens.push(['str', src.slice(i + 1, end), i]);
      i = end + 1;
    } else if (ch === '.' && !(next >= '0' && next <= '9')) {
      if (next === '.') fail(src, "'..' is not supported", i);
      tokens.push(['dot', '.', i++]);
    } else {
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(src);
      if (!m) fail(src, `unexpected character '${String.fromCodePoint(src.codePointAt(i))}'`, i);
      i = TOKEN.lastIndex;
      if (m[2]) {
        const end = src.indexOf('}', i);
        if (end < 0 || !/^[A-Za-z_][\w.-]*$/.test(src.slice(i, end))) fail(src, 'malformed field reference', i - 2);
        tokens.push(['ref', src.slice(i, end), i - 2]);
        i = end + 1;
      } else if (m[1]) tokens.push(['num', Number(m[1]), i - m[1].length]);
      else if (m[3] && !['and', 'or', 'div', 'mod'].includes(m[3])) tokens.push(['name', m[3], i - m[3].length]);
      else tokens.push(['op', m[0], i - m[0].length]);
    }
  }
  tokens.push(['end', null, src.length]);
  return tokens;
}

function parseSource(src) {
  const t = tokenize(src);
  let k = 0;
  let depth = 0;
  const unexpected = (message) => {
    const [kind, v, at] = t[k];
    fail(src, `${message}, found ${kind === 'end' ? 'end of expression' : `'${kind === 'num' ? fmt(v) : v}'`}`, at);
  };
  const take = (...ops) => (t[k][0] === 'op' && ops.includes(t[k][1]) ? t[k++][1] : null);
  const expect = (op) => take(op) !== null || unexpected(`expected '${op}'`);
  const nested = (parseInner) => {
    if (++depth > MAX_DEPTH) fail(src, 'expression nested too deeply', t[k][2]);
    const node = parseInner();
    depth--;
    return node;
  };
  const binary = (level) => {
    if (level === LEVELS.length) return unary();
    let node = binary(level + 1);
    for (let op; (op = take(...LEVELS[level])) !== null; ) node = { t: 'op', op, a: node, b: binary(level + 1) };
    return node;
  };
  const expression = () => nested(() => binary(0));
  const unary = () => (take('-') === null ? primary() : nested(() => ({ t: 'neg', a: unary() })));
  const primary = () => {
    const [kind, v, at] = t[k++];
    if (kind === 'num' || kind === 'str' || kind === 'ref' || kind === 'dot') return { t: kind, v };
    if (kind === 'op' && v === '(') {
      const node = expression();
      expect(')');
      return node;
    }
    if (kind !== 'name') {
      k--;
      unexpected('expected a value');
    }
    if (take('(') === null) return { t: 'col', v }; // a choice column, in a choice filter
    const args = [];
    if (take(')') === null) {
      do args.push(expression());
      while (take(',') !== null);
      expect(')');
    }
    if (!Object.hasOwn(FUNCTIONS, v)) fail(src, `unknown function '${v}()'`, at);
    const [low, high] = FUNCTIONS[v];
    if (args.length < low || (high >= 0 && args.length > high)) {
      const wanted = low === high ? `${low}` : high < 0 ? `${low} or more` : `${low} to ${high}`;
      fail(src, `${v}() takes ${wanted} argument${wanted === '1' ? '' : 's'}, got ${args.length}`, at);
    }
    return { t: 'call', v, args };
  };
  const node = expression();
  if (t[k][0] !== 'end') unexpected('unexpected token');
  return node;
}

const cache = new Map();
export function parse(src) {
  if (!cache.has(src)) {
    if (cache.size > 2000) cache.clear();
    cache.set(src, parseSource(src));
  }
  return cache.get(src);
}

export function references(src) {
  const found = new Set();
  const walk = (n) => {
    if (n.t === 'ref') found.add(n.v);
    for (const c of n.args || [n.a, n.b]) if (c) walk(c);
  };
  walk(parse(src));
  return found;
}

// --- values ---------------------------------------------------------------------------

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATETIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const WEEKDAYS = 'Thu Fri Sat Sun Mon Tue Wed'.split(' '); // 1970-01-01 was a Thursday
const isNum = (v) => typeof v === 'number';
const fdiv = (a, b) => Math.floor(a / b);
const pad = (n, width) => String(n).padStart(width, '0');

// Days since 1970-01-01 <-> proleptic Gregorian (y, m, d); exact integer arithmetic.
function fromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = fdiv(y, 400);
  const yoe = y - era * 400;
  return era * 146097 + yoe * 365 + fdiv(yoe, 4) - fdiv(yoe, 100) + fdiv(153 * ((m + 9) % 12) + 2, 5) + d - 1 - 719468;
}

function toCivil(z) {
  z += 719468;
  const era = fdiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = fdiv(doe - fdiv(doe, 1460) + fdiv(doe, 36524) - fdiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + fdiv(yoe, 4) - fdiv(yoe, 100));
  const mp = fdiv(5 * doy + 2, 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - fdiv(153 * mp + 2, 5) + 1];
}

function dateDays(text) {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > MONTH_DAYS[mo - 1] + (mo === 2 && leap ? 1 : 0)) return null;
  return fromCivil(y, mo, d);
}

function datetimeDays(text) {
  const m = DATETIME.exec(text);
  const days = m && dateDays(m[1]);
  if (days === null) return null;
  const [hour, minute, second] = [+m[2], +m[3], Number(m[4] || 0)];
  let offset = 0;
  if (m[5] && m[5] !== 'Z') {
    const [zh, zm] = [+m[5].slice(1, 3), +m[5].slice(-2)];
    if (zh > 23 || zm > 59) return null;
    offset = (m[5][0] === '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  if (hour > 23 || minute > 59 || second >= 60) return null;
  return days + (hour * 3600 + minute * 60 + second - offset) / 86400;
}

function normalize(v, item) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean' || typeof v === 'string' || isNum(v)) return v;
  if (Array.isArray(v) && !item) return v.map((x) => normalize(x, true));
  if (item) return '';
  throw new ExpressionError(`unsupported value of type ${typeof v}`);
}

function num(v) {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNum(v)) return v;
  if (Array.isArray(v)) return num(str(v));
  if (/^[ \t\r\n]*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/.test(v)) return Number(v);
  return dateDays(v) ?? datetimeDays(v) ?? NaN;
}

// Shortest round-trip digits, never an exponent, no trailing '.0'.
function fmt(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  const [mantissa, exp] = String(x).split('e');
  if (!exp) return mantissa;
  const [i, f = ''] = mantissa.replace('-', '').split('.');
  const d = i + f;
  const p = i.length + Number(exp);
  const plain = p <= 0 ? `0.${'0'.repeat(-p)}${d}` : p >= d.length ? d + '0'.repeat(p - d.length) : `${d.slice(0, p)}.${d.slice(p)}`;
  return (x < 0 ? '-' : '') + plain;
}

function str(v) {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isNum(v)) return fmt(v);
  return Array.isArray(v) ? v.map(str).join(' ') : v;
}

const bool = (v) => (typeof v === 'boolean' ? v : isNum(v) ? !(v === 0 || Number.isNaN(v)) : v.length > 0);

function equal(a, b) {
  if (typeof a === 'boolean' || typeof b === 'boolean') return bool(a) === bool(b);
  if (!isNum(a) && !isNum(b)) return str(a) === str(b);
  const [x, y] = [num(a), num(b)];
  return x === y || Math.abs(x - y) < 1e-12;
}

// decimal-date-time(): days since the epoch; NaN for empty; a non-date string fails.
function dateNumber(v) {
  if (Array.isArray(v)) v = str(v);
  const x = num(v);
  if (typeof v === 'string' && v && Number.isNaN(x)) throw new ExpressionError(`'${v}' is not a date`);
  return x;
}

function toDate(v) {
  if (typeof v === 'string') {
    if (dateDays(v) !== null) return v;
    if (datetimeDays(v) !== null) return v.slice(0, 10);
  }
  const x = dateNumber(v);
  if (Number.isNaN(x)) return '';
  if (!(x >= -719162 && x < 2932897)) throw new ExpressionError(`${fmt(x)} days is out of range for a date`);
  const [y, m, d] = toCivil(Math.floor(x));
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function formatDate(v, pattern) {
  const t = toDate(v);
  if (!t) return '';
  const [y, m, d] = [+t.slice(0, 4), +t.slice(5, 7), +t.slice(8)];
  const parts = { Y: t.slice(0, 4), m: t.slice(5, 7), d: t.slice(8), e: d, n: m, b: MONTHS[m - 1], a: WEEKDAYS[((fromCivil(y, m, d) % 7) + 7) % 7] };
  return pattern.replace(/%([Ymdenba])/g, (_, c) => parts[c]);
}

// Half up (towards +Infinity) at `digits` decimals of the shortest decimal form of x;
// as JavaRosa, NaN digits count as 0 and more than 30 either way give NaN.
function round(x, digits) {
  let d = Number.isNaN(digits) ? 0 : digits;
  if (!Number.isFinite(x)) return x;
  if (!(d >= -30 && d <= 30)) return NaN;
  d = Math.trunc(d);
  const [mantissa, exp = '0'] = String(x).split('e');
  const shifted = Number(`${mantissa}e${Number(exp) + d}`);
  if (Math.abs(shifted) >= 2 ** 52) return x;
  let whole = Math.floor(shifted);
  if (shifted - whole >= 0.5) whole += 1;
  return Number(`${whole}e${-d}`);
}

const items = (v) => (Array.isArray(v) ? v.map(str) : str(v).split(/[ \t\r\n]+/)).filter((s) => s !== '');
const numbers = (args) => args.flatMap((a) => (Array.isArray(a) ? a : [a]).map(num)).filter((n) => !Number.isNaN(n));
const trunc = (how) => (a) => (Number.isFinite(num(a[0])) ? how(num(a[0])) + 0 : num(a[0]));
const list = (v, name) => {
  if (!Array.isArray(v)) throw new ExpressionError(`${name}() needs a repeat or a list`);
  return v;
};

function extreme(args, smaller) {
  const ns = numbers(args);
  let best = ns.length ? ns[0] : NaN;
  for (const n of ns) if (smaller ? n < best : n > best) best = n;
  return best;
}

function substr(s, start, end) {
  const c = Array.from(s);
  const n = c.length;
  const index = (x) => {
    const i = Number.isNaN(x) ? 0 : x >= n ? n : x <= -n ? -n : Math.trunc(x);
    return Math.max(0, i < 0 ? i + n : i);
  };
  const [a, b] = [index(start), end === undefined ? n : index(end)];
  return a < b ? c.slice(a, b).join('') : '';
}

function regex(value, pattern) {
  let re;
  try {
    re = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (e) {
    throw new ExpressionError(`invalid regular expression '${pattern}': ${e.message}`);
  }
  return re.test(value);
}

const isEmpty = (v) => v === '' || Number.isNaN(v) || (Array.isArray(v) && !v.length);

// name: [minimum arguments, maximum (-1: any), implementation(args, ctx)].
// A function taking 0 or 1 argument uses the current value `.` when given none.
const FUNCTIONS = {
  not: [1, 1, (a) => !bool(a[0])],
  true: [0, 0, () => true],
  false: [0, 0, () => false],
  boolean: [1, 1, (a) => bool(a[0])],
  selected: [2, 2, (a) => items(a[0]).includes(str(a[1]).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''))],
  'count-selected': [1, 1, (a) => items(a[0]).length],
  'string-length': [0, 1, (a) => Array.from(str(a[0])).length],
  today: [0, 0, (a, ctx) => String(ctx.today)],
  now: [0, 0, (a, ctx) => String(ctx.now)],
  date: [1, 1, (a) => toDate(a[0])],
  'decimal-date-time': [1, 1, (a) => dateNumber(a[0])],
  'format-date': [2, 2, (a) => formatDate(a[0], str(a[1]))],
  if: [3, 3, (a) => (bool(a[0]) ? a[1] : a[2])],
  coalesce: [2, 2, (a) => (isEmpty(a[0]) ? a[1] : a[0])],
  concat: [0, -1, (a) => a.map(str).join('')],
  contains: [2, 2, (a) => str(a[0]).includes(str(a[1]))],
  'starts-with': [2, 2, (a) => str(a[0]).startsWith(str(a[1]))],
  'ends-with': [2, 2, (a) => str(a[0]).endsWith(str(a[1]))],
  substr: [2, 3, (a) => substr(str(a[0]), num(a[1]), a.length > 2 ? num(a[2]) : undefined)],
  string: [0, 1, (a) => str(a[0])],
  number: [0, 1, (a) => num(a[0])],
  int: [1, 1, trunc(Math.trunc)],
  floor: [1, 1, trunc(Math.floor)],
  ceiling: [1, 1, trunc(Math.ceil)],
  abs: [1, 1, (a) => Math.abs(num(a[0]))],
  round: [1, 2, (a) => round(num(a[0]), a.length > 1 ? num(a[1]) : 0)],
  regex: [2, 2, (a) => regex(str(a[0]), str(a[1]))],
  count: [1, 1, (a) => list(a[0], 'count').length],
  sum: [1, 1, (a) => numbers(list(a[0], 'sum')).reduce((s, x) => s + x, 0)],
  min: [1, -1, (a) => extreme(a, true)],
  max: [1, -1, (a) => extreme(a, false)],
};

const OPERATORS = {
  or: (a, b) => bool(a) || bool(b),
  and: (a, b) => bool(a) && bool(b),
  '=': equal,
  '!=': (a, b) => !equal(a, b),
  '<': (a, b) => num(a) < num(b),
  '<=': (a, b) => num(a) <= num(b),
  '>': (a, b) => num(a) > num(b),
  '>=': (a, b) => num(a) >= num(b),
  '+': (a, b) => num(a) + num(b),
  '-': (a, b) => num(a) - num(b),
  '*': (a, b) => num(a) * num(b),
  div: (a, b) => num(a) / num(b),
  mod: (a, b) => num(a) % num(b),
};

// Every operand and argument is evaluated (no short-circuit), as on the server.
function ev(n, ctx) {
  switch (n.t) {
    case 'num': case 'str': return n.v;
    case 'dot': return normalize(ctx.current);
    case 'col': {
      const row = ctx.current;
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new ExpressionError(`'${n.v}' is a choice column, but there is no choice row here (a string needs quotes)`);
      }
      return normalize(Object.hasOwn(row, n.v) ? row[n.v] : null);
    }
    case 'neg': return -num(ev(n.a, ctx));
    case 'op': return OPERATORS[n.op](ev(n.a, ctx), ev(n.b, ctx));
    case 'ref': {
      const v = ctx.lookup(n.v);
      if (v === undefined) throw new ExpressionError(`unknown field '\${${n.v}}'`);
      return normalize(v);
    }
  }
  const [low, high, impl] = FUNCTIONS[n.v];
  const args = n.args.map((arg) => ev(arg, ctx));
  return impl(!args.length && !low && high === 1 ? [normalize(ctx.current)] : args, ctx);
}

export const evaluate = (src, ctx) => ev(parse(src), ctx);
export const evaluateBool = (src, ctx) => bool(evaluate(src, ctx));
