// A short choice list as buttons: radio buttons (select_one, yes_no; a `radiogroup`) or
// checkboxes (select_multiple), each labelled with its choice's label. A choice filter hides
// the choices it rules out (never a chosen one).

import { UI } from './kit.js';

/** The choices of a select field; yes_no's two. */
export function choicesOf(field, model) {
  return field.type === 'yes_no'
    ? [{ name: 'yes', label: { en: UI.en.yes, km: UI.km.yes } }, { name: 'no', label: { en: UI.en.no, km: UI.km.no } }]
    : model.choices(field);
}

/** Hide the choices not in `allowed` (buttons, or a list's options), unless chosen. */
export function filterChoices(items, allowed) {
  const names = new Set(allowed.map((c) => c.name));
  for (const x of items) {
    const off = !names.has(x.choice.name) && !(x.input.checked || x.input.selected);
    (x.label || x.input).hidden = off;
    if (x.input.tagName === 'OPTION') x.input.disabled = off;
  }
}

export function createChoiceButtons(ctx) {
  const { h, field, text } = ctx;
  const multiple = field.type === 'select_multiple';
  const name = ctx.id;
  const locked = ctx.readOnly;
  const items = ctx.choices.map((c) => {
    const input = h('input', { type: multiple ? 'checkbox' : 'radio', name, value: c.name, disabled: locked });
    const caption = text(h('span', {}), () => ctx.pick(c.label));
    const label = h('label', { class: 'hw-choice' }, input, caption);
    input.addEventListener('change', () => {
      if (multiple) ctx.set(items.filter((x) => x.input.checked).map((x) => x.choice.name));
      else if (input.checked) ctx.set(c.name);
    });
    return { choice: c, input, label };
  });
  const show = (v) => {
    for (const x of items) x.input.checked = multiple ? Array.isArray(v) && v.includes(x.choice.name) : v === x.choice.name;
  };
  show(ctx.value());
  const el = h('div', { class: 'hw-choices' }, items.map((x) => x.label));
  // Focus stays a single tab stop per radio group; arrows move inside it (native behaviour).
  return {
    el,
    fieldset: true,
    role: multiple ? null : 'radiogroup',
    inputs: items.map((x) => x.input),
    update: show,
    focus: () => (items.find((x) => x.input.checked) || items[0])?.input.focus(),
    refresh: field.choice_filter ? (view) => filterChoices(items, view.choicesFor(ctx.path)) : null,
  };
}
