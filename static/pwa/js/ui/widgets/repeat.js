// A repeat: its rows, each a <fieldset> titled with the repeat's label and its number, with
// "Remove <label> <n>"; "Add <label>" below (both held to min_count and max_count). A new row
// carries its row key (a UUID) from birth. Rows are drawn again when one is added or removed.

import { rowKeyOf } from '../../form-model.js';
import { decorate } from './field.js';
import { getAt, h, own, toKhmerDigits, uid } from './kit.js';

export function buildRepeat(f, field, path) {
  const id = uid();
  const d = decorate(f, field, path, id);
  const rowsEl = h('div', { class: 'hw-rows' });
  const add = h('button', { type: 'button', class: 'hw-button hw-add', onclick: () => addRow() });
  f.text(add, () => f.t('add', { label: f.pick(field.label) }));
  const wrap = h('section', { class: 'hw-repeat', 'data-path': path, 'aria-labelledby': d.ids.label, 'aria-describedby': d.describedBy },
    h('h3', { class: 'hw-repeat-title' }, d.name, d.mark), d.hint, d.error, rowsEl, f.readOnly ? null : add);
  const node = {
    kind: 'repeat', path, field, wrap, rowsEl,
    setError: (msgs) => f.showError(d.error, msgs, [wrap]),
    focus: () => (add.disabled ? wrap.querySelector('input,select,textarea,button') : add)?.focus(),
    refresh() {
      const n = (f.get(path) || []).length;
      add.disabled = field.max_count != null && n >= field.max_count;
      for (const b of rowsEl.querySelectorAll(':scope > .hw-row > .hw-remove')) b.disabled = field.min_count != null && n <= field.min_count;
    },
  };
  f.register(node);
  const addRow = () => {
    const rows = Array.isArray(f.get(path)) ? f.get(path) : [];
    f.put(path, [...rows, f.model.newRow(path)]);
    rebuildRows(f, node);
    f.changed(path);
    rowsEl.lastElementChild?.querySelector('input:not([type=hidden]),select,textarea,canvas,button')?.focus();
  };
  node.rowsBuilt = () => buildRows(f, node);
  buildRows(f, node);
  return node;
}

function buildRows(f, node) {
  const { field, path, rowsEl } = node;
  const rows = getAt(f.raw, path);
  (Array.isArray(rows) ? rows : []).forEach((row, i) => {
    const rowPath = `${path}.${i}`;
    const title = h('legend', {});
    f.text(title, () => `${f.pick(field.label)} ${f.lang === 'km' ? toKhmerDigits(i + 1) : i + 1}`);
    const error = h('p', { class: 'hw-error', id: `${uid()}-e`, hidden: true });
    const remove = h('button', { type: 'button', class: 'hw-button hw-remove', onclick: () => removeRow(f, node, i) });
    f.text(remove, () => f.t('remove'));
    f.text(remove, () => f.t('removeRow', { label: f.pick(field.label), n: i + 1 }), false, 'aria-label');
    const wrap = h('fieldset', { class: 'hw-row', 'data-path': rowPath, 'data-row-id': own(row, rowKeyOf(field)) ?? '' }, title, error);
    rowsEl.append(wrap);
    f.register({ kind: 'row', path: rowPath, field, wrap, setError: (msgs) => f.showError(error, msgs, []) });
    f.build(field.fields, `${rowPath}.`, wrap);
    if (!f.readOnly) wrap.append(remove);
  });
}

function removeRow(f, node, index) {
  const rows = f.get(node.path) || [];
  f.put(node.path, rows.filter((_, i) => i !== index));
  rebuildRows(f, node);
  f.changed(node.path);
  node.focus();
}

// The rows' nodes and texts go, the rows are built again in place (nodes stay in document order).
function rebuildRows(f, node) {
  for (const n of f.nodes) if (n.path.startsWith(`${node.path}.`)) n.destroy?.();
  node.rowsEl.replaceChildren();
  const at = f.nodes.indexOf(node);
  const before = f.nodes.slice(0, at + 1);
  const after = f.nodes.slice(at + 1).filter((n) => !n.path.startsWith(`${node.path}.`));
  f.nodes = before;
  node.rowsBuilt();
  f.nodes.push(...after);
  for (let i = f.texts.length - 1; i >= 0; i--) if (!f.root.contains(f.texts[i].el)) f.texts.splice(i, 1);
}
