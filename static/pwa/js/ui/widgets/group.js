// A group: its fields inside a <fieldset> whose <legend> is the group's label.

import { decorate } from './field.js';
import { h, uid } from './kit.js';

export function buildGroup(f, field, path) {
  const id = uid();
  const d = decorate(f, field, path, id);
  const wrap = h('fieldset', { class: 'hw-group', 'data-path': path, 'aria-describedby': d.hint ? d.ids.hint : null },
    h('legend', {}, d.name), d.hint);
  const node = { kind: 'group', path, field, wrap, setError: () => {} };
  f.register(node);
  f.build(field.fields, `${path}.`, wrap);
  return node;
}
