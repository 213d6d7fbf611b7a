// A long choice list (more than MAX_BUTTONS choices) as a list: a dropdown (select_one, with
// "— Choose —" first) or a list of several lines (select_multiple).

import { isEmpty } from '../../form-model.js';
import { filterChoices } from './choices.js';

export function createSelect(ctx) {
  const { h, field, text, t } = ctx;
  const multiple = field.type === 'select_multiple';
  const choices = ctx.choices;
  const select = h('select', { id: ctx.id, ...ctx.aria, multiple, size: multiple ? Math.min(choices.length, 8) : null, disabled: ctx.readOnly });
  if (!multiple) select.append(text(h('option', { value: '' }), () => t('choose')));
  const items = choices.map((c) => ({ choice: c, input: text(h('option', { value: c.name }), () => ctx.pick(c.label)) }));
  select.append(...items.map((x) => x.input));
  const show = (v) => {
    for (const x of items) x.input.selected = multiple ? Array.isArray(v) && v.includes(x.choice.name) : v === x.choice.name;
    if (!multiple && isEmpty(v)) select.value = '';
  };
  select.addEventListener('change', () => {
    if (multiple) ctx.set(items.filter((x) => x.input.selected).map((x) => x.choice.name));
    else ctx.set(select.value || null);
  });
  show(ctx.value());
  return {
    el: select,
    inputs: [select],
    update: show,
    refresh: field.choice_filter ? (view) => filterChoices(items, view.choicesFor(ctx.path)) : null,
  };
}
