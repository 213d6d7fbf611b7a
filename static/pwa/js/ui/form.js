// The form renderer: a native form schema (docs/forms.md) as accessible DOM, in Khmer or English.
// The logic (relevance, calculations, validation) is js/form-model.js, the server's copy;
// this module only draws it and keeps the user's answers.
//
//   const form = renderForm(container, {schema, data, lang, lookupRecords, attachments, onChange,
//                                       readOnly, today, now, lookupRecord});
//   form.getData()        the record's data as the server stores it (hidden values dropped)
//   form.setLang('km')    re-labels everything, keeps the answers
//   form.validate()       shows every error inline and in a summary, returns them
//   form.showErrors(errs) shows the server's errors ({path, code, message, message_km})
//   form.focusFirstError(); form.destroy()
//
// The form keeps what the user typed in a field that becomes hidden (it comes back if the field
// does), but getData() and onChange() never include it. No innerHTML: every text is a text node.

import { createModel, isEmpty, isObject, rowKeyOf } from '../form-model.js';
import { createGeopoint } from './widgets/geopoint.js';
import { createPhoto } from './widgets/photo.js';
import { createSignature } from './widgets/signature.js';

const MAX_BUTTONS = 12; // more choices than this: a list instead of radio buttons / checkboxes
const SUMMARY_ITEMS = 8; // the error summary links to the first few; each field shows its own

const UI = {
  en: {
    yes: 'Yes', no: 'No', choose: '— Choose —', add: 'Add {label}', remove: 'Remove', removeRow: 'Remove {label} {n}',
    search: 'Search', searchLabel: 'Search: {label}', loading: 'Loading…', noRecords: 'No records on this device.',
    unknownRecord: 'A record not on this device ({id})', problems: 'Please fix {n} problems:', problem: 'Please fix 1 problem:', more: '… and {n} more below.',
    recordLocation: 'Record location', recordAgain: 'Record again', stop: 'Stop', searching: 'Searching for the location…',
    located: 'Latitude {lat}, longitude {lon}, accuracy {acc} m', noGeo: 'Location is not available on this device: enter it by hand.',
    geoDenied: 'Location permission was refused: allow it, or enter the location by hand.',
    geoFailed: 'The location could not be found. Try again outdoors, or enter it by hand.',
    manual: 'Enter the location by hand', latitude: 'Latitude', longitude: 'Longitude', accuracy: 'Accuracy (metres)',
    photoWorking: 'Preparing the photo…', photoSaved: 'Photo saved ({w} × {h}).', photoFailed: 'This image could not be read.',
    photoTooLarge: 'The photo is too large, even reduced.', removePhoto: 'Remove photo', photoAlt: 'Photo: {label}',
    noPreview: 'Photo saved (no preview on this device).',
    photoOnServer: 'Photo kept on the server: it shows here when this device is online.',
    signatureOnServer: 'Signature kept on the server: it shows here when this device is online.',
    clear: 'Clear signature', signHere: 'Sign with a finger inside the box.', signed: 'Signature saved.',
  },
  km: {
    yes: 'បាទ/ចាស', no: 'ទេ', choose: '— ជ្រើសរើស —', add: 'បន្ថែម {label}', remove: 'លុប', removeRow: 'លុប {label} {n}',
    search: 'ស្វែងរក', searchLabel: 'ស្វែងរក៖ {label}', loading: 'កំពុងផ្ទុក…', noRecords: 'គ្មានកំណត់ត្រានៅលើឧបករណ៍នេះទេ។',
    unknownRecord: 'កំណត់ត្រាដែលមិនមាននៅលើឧបករណ៍នេះ ({id})', problems: 'សូមកែ {n} ចំណុច៖', problem: 'សូមកែ ១ ចំណុច៖', more: '… និង {n} ចំណុចទៀតខាងក្រោម។',
    recordLocation: 'កត់ត្រាទីតាំង', recordAgain: 'កត់ត្រាម្ដងទៀត', stop: 'ឈប់', searching: 'កំពុងស្វែងរកទីតាំង…',
    located: 'រយៈទទឹង {lat} រយៈបណ្ដោយ {lon} ភាពត្រឹមត្រូវ {acc} ម៉ែត្រ', noGeo: 'ឧបករណ៍នេះមិនអាចរកទីតាំងបានទេ៖ សូមបញ្ចូលដោយដៃ។',
    geoDenied: 'ការអនុញ្ញាតទីតាំងត្រូវបានបដិសេធ៖ សូមអនុញ្ញាត ឬបញ្ចូលទីតាំងដោយដៃ។',
    geoFailed: 'រកទីតាំងមិនឃើញទេ។ សូមព្យាយាមម្ដងទៀតនៅខាងក្រៅ ឬបញ្ចូលដោយដៃ។',
    manual: 'បញ្ចូលទីតាំងដោយដៃ', latitude: 'រយៈទទឹង', longitude: 'រយៈបណ្ដោយ', accuracy: 'ភាពត្រឹមត្រូវ (ម៉ែត្រ)',
    photoWorking: 'កំពុងរៀបចំរូបថត…', photoSaved: 'បានរក្សាទុករូបថត ({w} × {h})។', photoFailed: 'មិនអាចអានរូបភាពនេះបានទេ។',
    photoTooLarge: 'រូបថតធំពេក ទោះបីបានបង្រួមហើយក៏ដោយ។', removePhoto: 'លុបរូបថត', photoAlt: 'រូបថត៖ {label}',
    noPreview: 'បានរក្សាទុករូបថត (មិនអាចបង្ហាញនៅលើឧបករណ៍នេះ)។',
    photoOnServer: 'រូបថតត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ៖ វានឹងបង្ហាញនៅទីនេះ នៅពេលឧបករណ៍នេះមានអ៊ីនធឺណិត។',
    signatureOnServer: 'ហត្ថលេខាត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ៖ វានឹងបង្ហាញនៅទីនេះ នៅពេលឧបករណ៍នេះមានអ៊ីនធឺណិត។',
    clear: 'លុបហត្ថលេខា', signHere: 'ចុះហត្ថលេខាដោយម្រាមដៃក្នុងប្រអប់នេះ។', signed: 'បានរក្សាទុកហត្ថលេខា។',
  },
};

const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';
const toKhmerDigits = (s) => String(s).replace(/[0-9]/g, (d) => KHMER_DIGITS[d]);
export const fromKhmerDigits = (s) => String(s).replace(/[០-៩]/g, (d) => String(KHMER_DIGITS.indexOf(d)));

// A number typed by a person: Khmer digits, thousands separators; what does not parse is kept
// as typed (validate() then says what is expected).
export function parseNumber(text, integer) {
  const s = fromKhmerDigits(text).trim().replace(/[,\s]/g, '');
  if (s === '') return null;
  const ok = integer ? /^-?\d+$/.test(s) : /^-?(\d+\.?\d*|\.\d+)$/.test(s);
  return ok ? Number(s) : text;
}

// h('p', {class: 'x', onclick: f}, 'text', child): an element; strings become text nodes.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const segments = (path) => (path === '' ? [] : path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
const own = (o, k) => (o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function getAt(data, path) {
  let cur = data;
  for (const s of segments(path)) cur = own(cur, s);
  return cur;
}

function setAt(data, path, value) {
  const ss = segments(path);
  let cur = data;
  ss.slice(0, -1).forEach((s, i) => {
    if (!isObject(own(cur, s)) && !Array.isArray(own(cur, s))) {
      Object.defineProperty(cur, s, { value: typeof ss[i + 1] === 'number' ? [] : {}, enumerable: true, writable: true, configurable: true });
    }
    cur = cur[s];
  });
  const last = ss[ss.length - 1];
  if (isEmpty(value)) delete cur[last];
  else Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
}

let counter = 0;
const uid = () => `hw${(++counter).toString(36)}`;

export function renderForm(container, options) {
  const { schema, attachments = null, lookupRecords = null, onChange = () => {}, readOnly = false } = options;
  const model = createModel(schema, { today: options.today, now: options.now, lookupRecord: options.lookupRecord });
  let lang = options.lang === 'en' ? 'en' : 'km';
  let raw = isObject(options.data) && Object.keys(options.data).length ? structuredClone(options.data) : model.defaults();
  let showAll = false; // after validate(): every error, live
  const touched = new Set(); // paths left once (blur): their errors, but not `required`, live
  let serverErrors = [];
  let shownErrors = [];
  let nodes = []; // every node, in document order (rebuilt when rows change)
  let destroyed = false;
  let view = null; // model.visibleTree(raw) after the last change

  const t = (key, params = {}) => UI[lang][key].replace(/\{(\w+)\}/g, (_, k) => (lang === 'km' && k === 'n' ? toKhmerDigits(params[k]) : params[k]));
  const pick = (text) => (text ? text[lang] || text.en || '' : '');
  // Every text on screen is {el, get, attr?, dynamic?}: re-drawn on setLang (and on each change
  // when it shows values: dynamic). text(el, get) draws it once and remembers it.
  const texts = [];
  const draw = (x) => (x.attr ? x.el.setAttribute(x.attr, x.get()) : (x.el.textContent = x.get()));
  const text = (el, get, dynamic = false, attr = null) => {
    const x = { el, get, dynamic, attr };
    texts.push(x);
    draw(x);
    return el;
  };

  const root = h('div', { class: 'hw-form', lang });
  const summary = h('div', { class: 'hw-summary', tabindex: '-1', hidden: true });
  const announcer = h('p', { class: 'hw-visually-hidden', role: 'status' });
  root.append(announcer, summary);
  container.append(root);

  // --- building -----------------------------------------------------------------------------

  function labelText(field, path) {
    const s = pick(field.label);
    if (!s.includes('${')) return s;
    return view ? view.interpolate(s, path) : model.interpolate(s, path, raw);
  }

  // The label, the required mark (not part of the name), the hint and the error slot of a field.
  function decorate(field, path, id) {
    const ids = { label: `${id}-l`, hint: `${id}-h`, error: `${id}-e` };
    const dynamic = [field.label?.en, field.label?.km].some((s) => s?.includes('${'));
    const name = text(h('span', { id: ids.label, class: 'hw-label-text' }), () => labelText(field, path), dynamic);
    const required = field.required === true || typeof field.required === 'string';
    const mark = required ? h('span', { class: 'hw-required', 'aria-hidden': 'true' }, ' *') : null;
    const hint = field.hint ? text(h('p', { class: 'hw-hint', id: ids.hint }), () => pick(field.hint)) : null;
    const error = h('p', { class: 'hw-error', id: ids.error, hidden: true });
    const describedBy = [hint && ids.hint, ids.error].filter(Boolean).join(' ');
    return { ids, name, mark, hint, error, describedBy, required: field.required === true };
  }

  function build(fields, prefix, parent) {
    for (const field of fields) {
      const path = prefix + field.name;
      if (field.type === 'calculate' && !field.label) continue;
      const node = field.type === 'group' ? buildGroup(field, path)
        : field.type === 'repeat' ? buildRepeat(field, path)
          : field.type === 'note' ? buildNote(field, path)
            : buildValue(field, path);
      parent.append(node.wrap);
    }
  }

  function buildGroup(field, path) {
    const id = uid();
    const d = decorate(field, path, id);
    const wrap = h('fieldset', { class: 'hw-group', 'data-path': path, 'aria-describedby': d.hint ? d.ids.hint : null },
      h('legend', {}, d.name), d.hint);
    const node = { kind: 'group', path, field, wrap, setError: () => {} };
    register(node);
    build(field.fields, `${path}.`, wrap);
    return node;
  }

  function buildNote(field, path) {
    const id = uid();
    const d = decorate(field, path, id);
    const wrap = h('div', { class: 'hw-note', 'data-path': path }, h('p', {}, d.name), d.hint);
    const node = { kind: 'note', path, field, wrap, setError: () => {} };
    return register(node);
  }

  function buildRepeat(field, path) {
    const id = uid();
    const d = decorate(field, path, id);
    const rowsEl = h('div', { class: 'hw-rows' });
    const add = h('button', { type: 'button', class: 'hw-button hw-add', onclick: () => addRow() });
    text(add, () => t('add', { label: pick(field.label) }));
    const wrap = h('section', { class: 'hw-repeat', 'data-path': path, 'aria-labelledby': d.ids.label, 'aria-describedby': d.describedBy },
      h('h3', { class: 'hw-repeat-title' }, d.name, d.mark), d.hint, d.error, rowsEl, readOnly ? null : add);
    const node = {
      kind: 'repeat', path, field, wrap, rowsEl,
      setError: (msgs) => showError(d.error, msgs, [wrap]),
      focus: () => (add.disabled ? wrap.querySelector('input,select,textarea,button') : add)?.focus(),
      refresh() {
        const n = (getAt(raw, path) || []).length;
        add.disabled = field.max_count != null && n >= field.max_count;
        for (const b of rowsEl.querySelectorAll(':scope > .hw-row > .hw-remove')) b.disabled = field.min_count != null && n <= field.min_count;
      },
    };
    register(node);
    const addRow = () => {
      const rows = Array.isArray(getAt(raw, path)) ? getAt(raw, path) : [];
      setAt(raw, path, [...rows, model.newRow(path)]);
      rebuildRows(node);
      changed(path);
      rowsEl.lastElementChild?.querySelector('input:not([type=hidden]),select,textarea,canvas,button')?.focus();
    };
    node.rowsBuilt = () => buildRows(node);
    buildRows(node);
    return node;
  }

  function buildRows(node) {
    const { field, path, rowsEl } = node;
    const rows = getAt(raw, path);
    (Array.isArray(rows) ? rows : []).forEach((row, i) => {
      const rowPath = `${path}.${i}`;
      const title = h('legend', {});
      text(title, () => `${pick(field.label)} ${lang === 'km' ? toKhmerDigits(i + 1) : i + 1}`);
      const error = h('p', { class: 'hw-error', id: `${uid()}-e`, hidden: true });
      const remove = h('button', { type: 'button', class: 'hw-button hw-remove', onclick: () => removeRow(node, i) });
      text(remove, () => t('remove'));
      text(remove, () => t('removeRow', { label: pick(field.label), n: i + 1 }), false, 'aria-label');
      const wrap = h('fieldset', { class: 'hw-row', 'data-path': rowPath, 'data-row-id': own(row, rowKeyOf(field)) ?? '' }, title, error);
      rowsEl.append(wrap);
      register({ kind: 'row', path: rowPath, field, wrap, setError: (msgs) => showError(error, msgs, []) });
      build(field.fields, `${rowPath}.`, wrap);
      if (!readOnly) wrap.append(remove);
    });
  }

  function removeRow(node, index) {
    const rows = getAt(raw, node.path) || [];
    setAt(raw, node.path, rows.filter((_, i) => i !== index));
    rebuildRows(node);
    changed(node.path);
    node.focus();
  }

  function rebuildRows(node) {
    for (const n of nodes) if (n.path.startsWith(`${node.path}.`)) n.destroy?.();
    node.rowsEl.replaceChildren();
    const at = nodes.indexOf(node);
    const before = nodes.slice(0, at + 1);
    const after = nodes.slice(at + 1).filter((n) => !n.path.startsWith(`${node.path}.`));
    nodes = before;
    node.rowsBuilt();
    nodes.push(...after);
    for (let i = texts.length - 1; i >= 0; i--) if (!root.contains(texts[i].el)) texts.splice(i, 1);
  }

  function register(node) {
    nodes.push(node);
    return node;
  }

  // A field that holds a value: one input, a list of buttons or a widget.
  function buildValue(field, path) {
    const id = uid();
    const d = decorate(field, path, id);
    const locked = readOnly || field.read_only || field.type === 'calculate';
    const value = () => getAt(raw, path);
    const set = (v) => {
      if (JSON.stringify(v ?? null) === JSON.stringify(value() ?? null)) return; // `change` after `input`
      setAt(raw, path, v);
      serverErrors = serverErrors.filter((e) => e.path !== path);
      changed(path);
    };
    // The name is the label's text alone (the required mark is not part of it).
    const aria = { 'aria-labelledby': d.ids.label, 'aria-describedby': d.describedBy, 'aria-required': d.required ? 'true' : null };
    const node = { kind: 'value', path, field, wrap: null, inputs: [] };
    const ctx = { h, id, field, path, label: () => pick(field.label), t, lang: () => lang, attachments, readOnly: locked, value, set, text, ids: d.ids, describedBy: d.describedBy, required: d.required, parseNumber };
    let control;
    let group = false;
    switch (field.type) {
      case 'select_one':
      case 'select_multiple':
      case 'yes_no': {
        const choices = field.type === 'yes_no'
          ? [{ name: 'yes', label: { en: UI.en.yes, km: UI.km.yes } }, { name: 'no', label: { en: UI.en.no, km: UI.km.no } }]
          : model.choices(field);
        group = field.type === 'yes_no' || choices.length <= MAX_BUTTONS;
        control = group ? choiceButtons(field, choices, ctx, aria) : choiceList(field, choices, ctx, aria);
        break;
      }
      case 'reference': control = referenceList(field, ctx, aria); break;
      case 'geopoint': group = true; control = createGeopoint(ctx); break;
      case 'photo': control = createPhoto(ctx); break;
      case 'signature': control = createSignature(ctx); break;
      default: control = plainInput(field, ctx, aria, locked);
    }
    node.inputs = control.inputs || [];
    if (group) {
      node.wrap = h('fieldset', { class: `hw-field hw-${field.type}`, 'data-path': path, role: control.role || null, 'aria-labelledby': d.ids.label, 'aria-describedby': d.describedBy, 'aria-required': d.required && control.role ? 'true' : null },
        h('legend', { class: 'hw-label' }, d.name, d.mark), d.hint, control.el, d.error);
    } else {
      node.wrap = h('div', { class: `hw-field hw-${field.type}`, 'data-path': path },
        h('label', { class: 'hw-label', for: id }, d.name, d.mark), d.hint, control.el, d.error);
    }
    node.setError = (msgs) => showError(d.error, msgs, [...node.inputs, ...(group ? [node.wrap] : [])]);
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
    node.destroy = () => control.destroy?.();
    return register(node);
  }

  function plainInput(field, ctx, aria, locked) {
    const { id, value, set } = ctx;
    const t_ = field.type;
    const number = t_ === 'integer' || t_ === 'decimal' || (t_ === 'calculate' && typeof value() === 'number');
    const long = field.appearance?.includes('multiline') || (field.max_length ?? 0) > 500;
    const props = { id, ...aria, readOnly: locked, autocomplete: 'off' };
    let input;
    if (t_ === 'text' && long) input = h('textarea', { ...props, rows: 4, maxlength: field.max_length || 2000 });
    else if (t_ === 'date') input = h('input', { ...props, type: 'date' });
    else if (t_ === 'datetime') input = h('input', { ...props, type: 'datetime-local', step: 60 });
    else if (number) input = h('input', { ...props, type: 'text', inputmode: t_ === 'integer' && (field.min ?? -1) >= 0 ? 'numeric' : 'decimal' });
    else input = h('input', { ...props, type: 'text', maxlength: t_ === 'text' ? field.max_length || 2000 : null });
    const show = (v) => {
      if (document.activeElement === input && !locked) return;
      input.value = v === undefined || v === null ? '' : t_ === 'datetime' ? String(v).slice(0, 16) : String(v);
    };
    const read = () => {
      const s = input.value;
      if (t_ === 'integer' || t_ === 'decimal') return parseNumber(s, t_ === 'integer');
      if (t_ === 'datetime') return s ? withOffset(s) : null;
      return s === '' ? null : s;
    };
    if (!locked) {
      input.addEventListener('input', () => set(read()));
      input.addEventListener('change', () => set(read()));
    }
    show(ctx.value());
    return {
      el: input,
      inputs: [input],
      update: show,
      // a calculated field shows the value the model computes
      refresh: field.calculation != null ? (view) => { input.value = fmtValue(getAt(view.data, ctx.path)); } : null,
    };
  }

  function choiceButtons(field, choices, ctx, aria) {
    const multiple = field.type === 'select_multiple';
    const name = ctx.id;
    const locked = ctx.readOnly;
    const items = choices.map((c) => {
      const input = h('input', { type: multiple ? 'checkbox' : 'radio', name, value: c.name, disabled: locked });
      const caption = text(h('span', {}), () => pick(c.label));
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
      role: multiple ? null : 'radiogroup',
      inputs: items.map((x) => x.input),
      update: show,
      focus: () => (items.find((x) => x.input.checked) || items[0])?.input.focus(),
      refresh: field.choice_filter ? (view) => filterChoices(items, view.choicesFor(ctx.path)) : null,
    };
  }

  function filterChoices(items, allowed) {
    const names = new Set(allowed.map((c) => c.name));
    for (const x of items) {
      const off = !names.has(x.choice.name) && !(x.input.checked || x.input.selected);
      (x.label || x.input).hidden = off;
      if (x.input.tagName === 'OPTION') x.input.disabled = off;
    }
  }

  function choiceList(field, choices, ctx, aria) {
    const multiple = field.type === 'select_multiple';
    const select = h('select', { id: ctx.id, ...aria, multiple, size: multiple ? Math.min(choices.length, 8) : null, disabled: ctx.readOnly });
    if (!multiple) select.append(text(h('option', { value: '' }), () => t('choose')));
    const items = choices.map((c) => ({ choice: c, input: text(h('option', { value: c.name }), () => pick(c.label)) }));
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

  // A record of another form, chosen among those on the device; a search box for long lists.
  function referenceList(field, ctx, aria) {
    const select = h('select', { id: ctx.id, ...aria, disabled: ctx.readOnly });
    const search = h('input', { type: 'search', class: 'hw-search', hidden: true, autocomplete: 'off', 'aria-controls': ctx.id });
    const status = h('p', { class: 'hw-status' });
    let records = null;
    text(search, () => t('searchLabel', { label: ctx.label() }), false, 'aria-label');
    const draw = () => {
      const current = ctx.value();
      const query = search.value.trim().toLowerCase();
      const shown = (records || []).filter((r) => !query || r.record_id === current || String(r.label).toLowerCase().includes(query));
      // drawn again on setLang (update), so these texts need no registration
      const options = [h('option', { value: '' }, records ? t('choose') : t('loading'))];
      if (current && !(records || []).some((r) => r.record_id === current)) {
        options.push(h('option', { value: current }, t('unknownRecord', { id: String(current).slice(0, 8) })));
      }
      for (const r of shown) options.push(h('option', { value: r.record_id }, String(r.label ?? r.record_id)));
      select.replaceChildren(...options);
      select.value = current || '';
      search.hidden = ctx.readOnly || !records || records.length <= MAX_BUTTONS;
      status.textContent = records && !records.length ? t('noRecords') : '';
    };
    select.addEventListener('change', () => ctx.set(select.value || null));
    search.addEventListener('input', draw);
    draw();
    Promise.resolve(lookupRecords ? lookupRecords(field.reference.form_id) : [])
      .then((list) => {
        if (destroyed) return;
        records = Array.isArray(list) ? list : [];
        draw();
      })
      .catch(() => {
        records = [];
        draw();
      });
    return { el: h('div', { class: 'hw-reference' }, search, select, status), inputs: [select], update: draw };
  }

  // --- state changes ----------------------------------------------------------------------------

  function refresh() {
    view = model.visibleTree(raw);
    for (const node of nodes) {
      const visible = view.visible(node.path);
      if (node.wrap.hidden === visible) node.wrap.hidden = !visible;
      if (visible) node.refresh?.(view);
    }
    for (const x of texts) if (x.dynamic) draw(x);
    liveErrors();
  }

  function changed() {
    refresh();
    onChange(getData());
  }

  function getData() {
    return structuredClone(model.recompute(raw));
  }

  // --- errors ---------------------------------------------------------------------------------

  function showError(el, msgs, targets) {
    const on = Boolean(msgs && msgs.length);
    el.hidden = !on;
    el.textContent = on ? msgs.map((m) => pick(m)).join(' ') : '';
    for (const target of targets) {
      if (on) target.setAttribute('aria-invalid', 'true');
      else target.removeAttribute('aria-invalid');
    }
  }

  const normalise = (e) => ({
    path: e.path ?? '',
    code: e.code,
    message: isObject(e.message) ? e.message : { en: e.message || e.code, km: e.message_km || e.message || e.code },
  });

  // The node an error belongs to: the field, else its row or repeat (`inspectors.0._row_id`).
  function nodeFor(path) {
    for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const node = nodes.find((n) => n.path === p);
      if (node) return node;
    }
    return null;
  }

  function liveErrors() {
    if (!showAll && !touched.size && !serverErrors.length && !shownErrors.length) return;
    const own = showAll || touched.size ? model.validate(raw).filter((e) => showAll || (touched.has(e.path) && e.code !== 'required')) : [];
    render([...own, ...serverErrors]);
  }

  function render(errors) {
    shownErrors = errors;
    const byNode = new Map();
    const loose = [];
    for (const e of errors) {
      const node = nodeFor(e.path);
      if (node && !node.wrap.hidden) byNode.set(node, [...(byNode.get(node) || []), e.message]);
      else loose.push(e);
    }
    for (const node of nodes) node.setError(byNode.get(node) || null);
    drawSummary(errors, byNode);
  }

  function drawSummary(errors) {
    summary.hidden = !errors.length || (!showAll && !serverErrors.length);
    if (summary.hidden) return summary.replaceChildren();
    const items = errors.map((e) => {
      const node = nodeFor(e.path);
      const name = node?.field?.label ? pick(node.field.label) : e.path;
      const line = `${name ? `${name}: ` : ''}${pick(e.message)}`;
      if (!node?.focus) return h('li', {}, line);
      return h('li', {}, h('a', { href: `#${node.inputs?.[0]?.id || ''}`, onclick: (ev) => { ev.preventDefault(); focusNode(node); } }, line));
    });
    const more = items.length > SUMMARY_ITEMS ? h('li', {}, t('more', { n: items.length - SUMMARY_ITEMS })) : null;
    summary.replaceChildren(
      h('p', { class: 'hw-summary-title' }, errors.length === 1 ? t('problem') : t('problems', { n: errors.length })),
      h('ul', {}, items.slice(0, SUMMARY_ITEMS), more),
    );
  }

  function focusNode(node) {
    node.wrap.scrollIntoView?.({ block: 'center' });
    node.focus?.();
  }

  root.addEventListener('focusout', (ev) => {
    const wrap = ev.target.closest?.('[data-path]');
    if (!wrap || wrap.contains(ev.relatedTarget)) return;
    touched.add(wrap.dataset.path);
    liveErrors();
  });

  // --- go -------------------------------------------------------------------------------------

  const body = h('div', { class: 'hw-fields' });
  root.append(body);
  build(schema.fields, '', body);
  refresh();

  return {
    getData,
    setLang(next) {
      lang = next === 'en' ? 'en' : 'km';
      root.lang = lang;
      for (const x of texts) draw(x);
      for (const node of nodes) node.update?.();
      render(shownErrors);
    },
    validate() {
      showAll = true;
      const errors = model.validate(raw);
      render([...errors, ...serverErrors]);
      announcer.textContent = errors.length ? (errors.length === 1 ? t('problem') : t('problems', { n: errors.length })) : '';
      return errors;
    },
    showErrors(errors) {
      serverErrors = (errors || []).map(normalise);
      render([...(showAll ? model.validate(raw) : []), ...serverErrors]);
    },
    focusFirstError() {
      const node = nodes.find((n) => n.wrap.querySelector(':scope > .hw-error:not([hidden])') && !n.wrap.closest('[hidden]'));
      if (node) focusNode(node);
      else if (!summary.hidden) summary.focus();
      return Boolean(node);
    },
    destroy() {
      destroyed = true;
      for (const n of nodes) n.destroy?.();
      root.remove();
    },
  };
}

function fmtValue(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return String(Math.round(v * 1e6) / 1e6);
  return Array.isArray(v) ? v.join(' ') : String(v);
}

// 'YYYY-MM-DDTHH:MM' from a datetime-local input -> ISO 8601 with the device's UTC offset.
function withOffset(local) {
  const [date, time] = local.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm, ss = 0] = time.split(':').map(Number);
  const off = -new Date(y, m - 1, d, hh, mm, ss).getTimezoneOffset();
  const p = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  return `${date}T${p(hh)}:${p(mm)}:${p(ss)}${off < 0 ? '-' : '+'}${p(off / 60)}:${p(off % 60)}`;
}
