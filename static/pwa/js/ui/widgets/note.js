// A note: text to read (its label, which may show answers through ${name}), no input.

import { decorate } from './field.js';
import { h, uid } from './kit.js';

export function buildNote(f, field, path) {
  const id = uid();
  const d = decorate(f, field, path, id);
  const wrap = h('div', { class: 'hw-note', 'data-path': path }, h('p', {}, d.name), d.hint);
  const node = { kind: 'note', path, field, wrap, setError: () => {} };
  return f.register(node);
}
