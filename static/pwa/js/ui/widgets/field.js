// A field that holds a value, framed alike whatever draws its input: its label (a <label>, or
// the <legend> of a <fieldset> when the widget is a group of inputs), the required mark (not
// part of the name), the hint and the error slot. The widget for its type draws the inputs.
//
// A widget: create(ctx) -> {el, inputs, update(value), refresh?(view), focus?(), destroy?(),
// fieldset?, role?}. ctx: {h, id, field, path, label(), t, pick, lang(), readOnly, value(), set(v),
// text, ids, describedBy, aria, required, parseNumber, attachments, lookupRecords, model,
// destroyed()}; `fieldset`: the widget is several inputs under the field's legend (radio
// buttons, checkboxes, a location), `role` that fieldset's role (`radiogroup`).

import { choicesOf, createChoiceButtons } from './choices.js';
import { createGeopoint } from './geopoint.js';
import { createInput } from './input.js';
import { h, MAX_BUTTONS, parseNumber, uid } from './kit.js';
import { createFile, isPlainFile } from './file.js';
import { createPhoto } from './photo.js';
import { createReference } from './reference.js';
import { createSelect } from './select.js';
import { createSignature } from './signature.js';
import { createLocation } from './location.js';

/** The label, the required mark, the hint and the error slot of a field (any kind). */
export function decorate(f, field, path, id) {
  const ids = { label: `${id}-l`, hint: `${id}-h`, error: `${id}-e` };
  const dynamic = [field.label?.en, field.label?.km].some((s) => s?.includes('${'));
  const name = f.text(h('span', { id: ids.label, class: 'hw-label-text' }), () => f.labelText(field, path), dynamic);
  const required = field.required === true || typeof field.required === 'string';
  const mark = required ? h('span', { class: 'hw-required', 'aria-hidden': 'true' }, ' *') : null;
  const hint = field.hint ? f.text(h('p', { class: 'hw-hint', id: ids.hint }), () => f.pick(field.hint)) : null;
  const error = h('p', { class: 'hw-error', id: ids.error, hidden: true });
  const describedBy = [hint && ids.hint, ids.error].filter(Boolean).join(' ');
  return { ids, name, mark, hint, error, describedBy, required: field.required === true };
}

// A short list of choices (yes/no always) as radio buttons or checkboxes, a long one as a list.
const choose = (ctx) => (ctx.field.type === 'yes_no' || ctx.choices.length <= MAX_BUTTONS
  ? createChoiceButtons(ctx) : createSelect(ctx));

const WIDGETS = {
  select_one: choose,
  select_multiple: choose,
  yes_no: choose,
  reference: createReference,
  geopoint: createGeopoint,
  photo: (ctx) => (isPlainFile(ctx.field) ? createFile(ctx) : createPhoto(ctx)), // audio, video, file: file.js
  signature: createSignature,
}; // any other type (text, integer, decimal, date, datetime, calculate): createInput

export function buildField(f, field, path) {
  const id = uid();
  const d = decorate(f, field, path, id);
  const locked = f.readOnly || field.read_only || field.type === 'calculate';
  const value = () => f.get(path);
  const set = (v) => {
    if (JSON.stringify(v ?? null) === JSON.stringify(value() ?? null)) return; // `change` after `input`
    f.put(path, v);
    f.forgetServerError(path);
    f.changed(path);
  };
  // The name is the label's text alone (the required mark is not part of it).
  const aria = { 'aria-labelledby': d.ids.label, 'aria-describedby': d.describedBy, 'aria-required': d.required ? 'true' : null };
  const node = { kind: 'value', path, field, wrap: null, inputs: [] };
  const ctx = {
    h, id, field, path, label: () => f.pick(field.label), t: f.t, pick: f.pick, lang: () => f.lang, readOnly: locked, value, set,
    text: f.text, ids: d.ids, describedBy: d.describedBy, aria, required: d.required, parseNumber,
    attachments: f.attachments, lookupRecords: f.lookupRecords, model: f.model, destroyed: () => f.destroyed,
    choices: ['select_one', 'select_multiple', 'yes_no'].includes(field.type) ? choicesOf(field, f.model) : null,
  };
  // the form's location (a commune code typed as text): a list of the communes in scope
  const control = f.locations && f.locations.length && path === f.model.locationField && field.type === 'text'
    ? createLocation(ctx, f.locations)
    : (WIDGETS[field.type] || createInput)(ctx);
  const group = Boolean(control.fieldset);
  node.inputs = control.inputs || [];
  if (group) {
    node.wrap = h('fieldset', { class: `hw-field hw-${field.type}`, 'data-path': path, role: control.role || null, 'aria-labelledby': d.ids.label, 'aria-describedby': d.describedBy, 'aria-required': d.required && control.role ? 'true' : null },
      h('legend', { class: 'hw-label' }, d.name, d.mark), d.hint, control.el, d.error);
  } else {
    node.wrap = h('div', { class: `hw-field hw-${field.type}`, 'data-path': path },
      h('label', { class: 'hw-label', for: id }, d.name, d.mark), d.hint, control.el, d.error);
  }
  node.setError = (msgs) => f.showError(d.error, msgs, [...node.inputs, ...(group ? [node.wrap] : [])]);
  node.focus = () => (control.focus ? control.focus() : node.inputs[0]?.focus());
  node.refresh = (view) => control.refresh?.(view);
  if (typeof field.required === 'string') {
    // required when an expression holds (`${decision} = 'not_approved'`): the mark follows it
    const target = group && control.role ? [node.wrap] : node.inputs;
    node.refresh = (view) => {
      const on = view.required(path);
      d.mark.hidden = !on;
      for (const el of target) el.setAttribute('aria-required', String(on));
      control.refresh?.(view);
    };
  }
  node.update = () => control.update?.(value());
  node.settle = () => control.settle?.();
  node.destroy = () => control.destroy?.();
  return f.register(node);
}
