// Three-way merge of a record's data on the tablet: the same merge as app/sync/merge.py
// (read its docstring for the rules), both checked against tests/vectors/merge.json.
// The tablet merges a pulled record into a local draft: base = the data the draft started
// from, server = the pulled data, client = the draft. Pure module: no DOM, no IndexedDB.
//
// Paths: field names joined by dots, a repeat's row by its key in brackets:
//   household.head.age   members[5f0c…].age   members[5f0c…]   members[k].illnesses[k2]
// rowKeys maps a repeat's shape (its path without row keys, `[]` after each enclosing
// repeat: `members`, `members[].illnesses`; the `[]` are optional) to its key field;
// default `_row_id`. A list is merged row by row only if every row on every side is an
// object with a unique non-empty string key (no `[` or `]`); else it is one atomic value.
// An absent key (undefined here, ABSENT in Python) is distinct from null.
//
// merge3(base, server, client, {rowKeys}) -> {data, clashes, clientChanged}; each clash is
// the contract's {path, server_value, client_value} (null, with server_absent/client_absent
// true, for a side that removed it); the server's value stays in data.

export const DEFAULT_ROW_KEY = '_row_id';

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const join = (prefix, name) => (prefix ? `${prefix}.${name}` : name);
const clone = (v) => (v === undefined ? undefined : structuredClone(v));

// Own property even for a name like `__proto__`.
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const get = (obj, key) => (hasOwn(obj, key) ? obj[key] : undefined);

// JSON equality: types must agree (true is not 1), undefined (absent) only equals itself.
export function sameValue(a, b) {
  if (a === undefined || b === undefined) return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return typeof a === typeof b && a === b;
}

const normalShape = (shape) => shape.replaceAll('[]', '');

function keyFields(rowKeys) {
  const out = new Map();
  for (const [shape, key] of Object.entries(rowKeys ?? {})) out.set(normalShape(shape), key);
  return out;
}

const validKey = (k) => typeof k === 'string' && k !== '' && !k.includes('[') && !k.includes(']');

// The rows of a repeat by key (in list order), or null if the list is not keyed rows.
function rowsOf(value, key) {
  if (!Array.isArray(value)) return null;
  const rows = new Map();
  for (const row of value) {
    if (!isObject(row)) return null;
    const k = get(row, key);
    if (!validKey(k) || rows.has(k)) return null;
    rows.set(k, row);
  }
  return rows;
}

function clashOf(path, server, client) {
  const out = {
    path,
    server_value: server === undefined ? null : clone(server),
    client_value: client === undefined ? null : clone(client),
  };
  if (server === undefined) out.server_absent = true;
  if (client === undefined) out.client_absent = true;
  return out;
}

function merger(rowKeys) {
  const keys = keyFields(rowKeys);
  const clashes = [];
  const keyOf = (shape) => keys.get(shape) ?? DEFAULT_ROW_KEY;

  function merge(path, shape, base, server, client) {
    if (sameValue(client, base)) return server;
    if (sameValue(server, base) || sameValue(server, client)) return client;
    // both changed, to different values
    if (isObject(server) && isObject(client) && (base === undefined || isObject(base))) {
      return mergeObjects(path, shape, base ?? {}, server, client);
    }
    const key = keyOf(shape);
    const s = rowsOf(server, key);
    const c = rowsOf(client, key);
    const b = base === undefined ? new Map() : rowsOf(base, key);
    if (s !== null && c !== null && b !== null) return mergeRows(path, shape, b, s, c);
    clashes.push(clashOf(path, server, client));
    return server;
  }

  function mergeObjects(path, shape, base, server, client) {
    const out = {};
    const names = [...Object.keys(server), ...Object.keys(client).filter((k) => !hasOwn(server, k))];
    for (const name of names) {
      const value = merge(join(path, name), join(shape, name), get(base, name), get(server, name), get(client, name));
      if (value !== undefined) setOwn(out, name, value);
    }
    return out;
  }

  function mergeRows(path, shape, base, server, client) {
    const out = [];
    const ids = [...server.keys(), ...[...client.keys()].filter((k) => !server.has(k))];
    for (const k of ids) {
      const row = merge(`${path}[${k}]`, shape, base.get(k), server.get(k), client.get(k));
      if (row !== undefined) out.push(row);
    }
    return out;
  }

  return { merge, clashes };
}

// The paths whose value differs from `before` to `after`, in document order (see Python's
// changed_paths): added/removed fields, groups and rows are one path each; a repeat whose
// rows only moved is the repeat's path.
export function changedPaths(before, after, { rowKeys } = {}) {
  const keys = keyFields(rowKeys);
  const out = [];
  function diff(path, shape, a, b) {
    if (sameValue(a, b)) return;
    if (isObject(a) && isObject(b)) {
      const names = [...Object.keys(a), ...Object.keys(b).filter((k) => !hasOwn(a, k))];
      for (const name of names) diff(join(path, name), join(shape, name), get(a, name), get(b, name));
      return;
    }
    const key = keys.get(shape) ?? DEFAULT_ROW_KEY;
    const ra = rowsOf(a, key);
    const rb = rowsOf(b, key);
    if (ra !== null && rb !== null) {
      const found = out.length;
      const ids = [...ra.keys(), ...[...rb.keys()].filter((k) => !ra.has(k))];
      for (const k of ids) diff(`${path}[${k}]`, shape, ra.get(k), rb.get(k));
      if (out.length > found) return;
    }
    out.push(path);
  }
  diff('', '', before, after);
  return out;
}

// Merge what `client` changed since `base` into `server`.
export function merge3(base, server, client, { rowKeys } = {}) {
  for (const [name, value] of [['base', base], ['server', server], ['client', client]]) {
    if (!isObject(value)) throw new TypeError(`merge3: ${name} must be an object`);
  }
  const m = merger(rowKeys);
  const data = m.merge('', '', base, server, client);
  return { data: clone(data), clashes: m.clashes, clientChanged: changedPaths(base, client, { rowKeys }) };
}

const SEGMENT = /([A-Za-z_][A-Za-z0-9_-]*)(?:\[([^[\]]+)\])?/y;

// 'members[k1].age' -> [['members', 'k1'], ['age', null]]
export function parsePath(path) {
  const segments = [];
  let pos = 0;
  for (;;) {
    SEGMENT.lastIndex = pos;
    const m = SEGMENT.exec(path);
    if (m === null) throw new Error(`not a data path: ${JSON.stringify(path)}`);
    segments.push([m[1], m[2] ?? null]);
    pos = SEGMENT.lastIndex;
    if (pos === path.length) return segments;
    if (path[pos] !== '.') throw new Error(`not a data path: ${JSON.stringify(path)}`);
    pos += 1;
  }
}

// The value at `path` in `data`, or undefined if nothing is there.
export function valueAt(data, path, { rowKeys } = {}) {
  const keys = keyFields(rowKeys);
  let node = data;
  let shape = '';
  for (const [name, rowKey] of parsePath(path)) {
    shape = join(shape, name);
    node = isObject(node) ? get(node, name) : undefined;
    if (rowKey !== null && node !== undefined) {
      const rows = rowsOf(node, keys.get(shape) ?? DEFAULT_ROW_KEY);
      node = rows === null ? undefined : rows.get(rowKey);
    }
    if (node === undefined) return undefined;
  }
  return node;
}
