// The form renderer: a native form schema (docs/forms.md) as accessible DOM, in Khmer or English.
// The logic (relevance, calculations, validation) is js/form-model.js, the server's copy;
// this module only draws it and keeps the user's answers.
//
//   const form = renderForm(container, {schema, data, lang, lookupRecords, attachments, onChange,
//                                       readOnly, today, now, lookupRecord});
//   form.getData()        the record's data as the server stores it (hidden values dropped)
//   form.setLang('km')    re-labels everything, keeps the answers
//   form.settle()         resolves once every widget's pending save (a photo, a signature) is done
//   form.validate()       shows every error inline and in a summary, returns them
//   form.hasShownErrors() whether an error is on screen (under a field or in the summary)
//   form.showErrors(errs) shows the server's errors ({path, code, message, message_km})
//   options.preset        {name: value} for a new record (no data yet), over the defaults
//   options.locations     [{code, name: {en, km}}]: the communes a location field may name
//   form.showFlags(flags) shows the server's flags on a record, under their fields, as the
//                         flags the device finds itself (options.recordData(form_id, id) -> data,
//                         synchronous: the institution's baseline of beds)
//   form.focusFirstError(); form.destroy()
//
// Each kind of field is drawn by its module in ./widgets/ (a group, a repeat, a note, or a field
// that holds a value: widgets/field.js frames the input its type's widget draws); errors are
// ./form-errors.js's. They share the form's state through `f`, made here: its answers (`raw`),
// language, nodes (one per field, row, group, in document order) and texts (redrawn on a change
// of language), and build(fields, prefix, parent) to draw a level of fields.
//
// The form keeps what the user typed in a field that becomes hidden (it comes back if the field
// does), but getData() and onChange() never include it. No innerHTML: every text is a text node.

import { createModel, isObject } from '../form-model.js';
import { createErrors, sayMessage, showError } from './form-errors.js';
import { buildField } from './widgets/field.js';
import { buildGroup } from './widgets/group.js';
import { getAt, h, setAt, translate } from './widgets/kit.js';
import { buildNote } from './widgets/note.js';
import { buildRepeat } from './widgets/repeat.js';

export { fromKhmerDigits, h, parseNumber } from './widgets/kit.js';

const CHOICE_TYPES = new Set(['select_one', 'yes_no', 'select_multiple']);

/** `data` without the values at `paths` (dotted data paths), for what the screen shows. */
function without(data, paths) {
  const copy = structuredClone(data);
  for (const p of paths) setAt(copy, p, null);
  return copy;
}

const BUILDERS = { group: buildGroup, repeat: buildRepeat, note: buildNote }; // else buildField

// A text on screen is {el, get, attr?, dynamic?}: drawn again on setLang (and on each change
// when it shows values: dynamic).
const draw = (x) => (x.attr ? x.el.setAttribute(x.attr, x.get()) : (x.el.textContent = x.get()));

export function renderForm(container, options) {
  const { schema, attachments = null, lookupRecords = null, onChange = () => {}, readOnly = false } = options;
  const model = createModel(schema, { today: options.today, now: options.now, lookupRecord: options.lookupRecord });
  const lang = options.lang === 'en' ? 'en' : 'km';
  const f = {
    model, readOnly, attachments, lookupRecords, lang,
    locations: options.locations || null, // the communes in scope: the location field's choices
    // a new record: the form's defaults and the values the app presets (the user's only commune)
    raw: isObject(options.data) && Object.keys(options.data).length ? structuredClone(options.data) : { ...model.defaults(), ...(options.preset || {}) },
    view: null, // model.visibleTree(raw) after the last change
    nodes: [],
    texts: [],
    destroyed: false,
    root: h('div', { class: 'hw-form', lang }),
    t: (key, params) => translate(f.lang, key, params),
    pick: (text) => (text ? text[f.lang] || text.en || '' : ''),
    /** Draw a text once and remember it (see `draw`). */
    text: (el, get, dynamic = false, attr = null) => {
      const x = { el, get, dynamic, attr };
      f.texts.push(x);
      draw(x);
      return el;
    },
    get: (path) => getAt(f.raw, path),
    put: (path, value) => setAt(f.raw, path, value),
    register: (node) => {
      f.nodes.push(node);
      return node;
    },
    build: (fields, prefix, parent) => {
      for (const field of fields) {
        if (field.type === 'calculate' && !field.label) continue;
        parent.append((BUILDERS[field.type] || buildField)(f, field, prefix + field.name).wrap);
      }
    },
    changed: (path) => {
      // a choice is answered in one tap: what the form says of it shows at once (a refusal:
      // residential care for a child under 3), not when the focus leaves the group
      const node = path && f.nodes.find((n) => n.path === path);
      if (node && CHOICE_TYPES.has(node.field?.type)) errors.touch(path);
      refresh();
      onChange(getData());
    },
    forgetServerError: (path) => errors.forget(path),
    showError: (el, msgs, targets) => showError(f, el, msgs, targets),
    labelText: (field, path) => {
      const s = f.pick(field.label);
      if (!s.includes('${')) return s;
      return f.view ? f.view.interpolate(s, path) : model.interpolate(s, path, f.raw);
    },
  };

  const summary = h('div', { class: 'hw-summary', tabindex: '-1', hidden: true });
  const announcer = h('p', { class: 'hw-visually-hidden', role: 'status' });
  f.root.append(announcer, summary);
  container.append(f.root);
  const errors = createErrors(f, { summary, announcer });

  // Choices the form refuses (a constraint or a rule fails on the chosen value): the questions
  // that choice would open stay hidden, as if it were not chosen, while it is refused. The data
  // is not touched (getData, validate: as the server sees it); only the screen.
  function refusedChoices() {
    if (f.readOnly) return [];
    const refused = [];
    for (const e of model.validate(f.raw)) {
      if (e.code === 'required') continue;
      const node = f.nodes.find((n) => n.path === e.path);
      if (node && CHOICE_TYPES.has(node.field?.type)) refused.push(e.path);
    }
    return refused;
  }

  // Flags (not refusals: a supervisor sees them): the device's own as the user types, and the
  // server's on a stored record; each under its field, else above the fields.
  let serverFlags = [];
  let flags = [];
  const flagEls = new Map();
  const flagBox = h('div', { class: 'hw-flags', hidden: true });
  function drawFlags() {
    const byPath = new Map();
    for (const fl of flags) {
      const node = f.nodes.find((n) => n.path === fl.path && !n.wrap.hidden);
      const key = node ? fl.path : '';
      const list = byPath.get(key) || [];
      if (!list.some((x) => x.message.en === fl.message.en)) list.push(fl);
      byPath.set(key, list);
    }
    for (const [path, el] of flagEls) if (!byPath.has(path)) el.hidden = true;
    for (const [path, list] of byPath) {
      let el = flagEls.get(path);
      if (!el) {
        el = h('p', { class: 'hw-flag', 'data-flag-for': path });
        (path ? f.nodes.find((n) => n.path === path).wrap : flagBox).append(el);
        flagEls.set(path, el);
      }
      el.hidden = false;
      el.dataset.codes = list.map((x) => x.code).join(' ');
      el.textContent = list.map((x) => sayMessage(f, x.message)).join(' ');
    }
    flagBox.hidden = !byPath.has('');
  }
  function updateFlags() {
    flags = [...(options.recordData ? model.flags(f.raw, options.recordData) : []), ...serverFlags];
    if (flags.length || flagEls.size) drawFlags();
  }

  function refresh() {
    f.view = model.visibleTree(f.raw);
    const refused = refusedChoices();
    const shown = refused.length ? model.visibleTree(without(f.raw, refused)) : f.view;
    for (const node of f.nodes) {
      const visible = shown.visible(node.path) && f.view.visible(node.path);
      if (node.wrap.hidden === visible) node.wrap.hidden = !visible;
      if (visible) node.refresh?.(f.view);
    }
    for (const x of f.texts) if (x.dynamic) draw(x);
    errors.live();
    updateFlags();
  }

  function getData() {
    return structuredClone(model.recompute(f.raw));
  }

  const body = h('div', { class: 'hw-fields' });
  f.root.append(flagBox, body);
  f.build(schema.fields, '', body);
  refresh();

  return {
    getData,
    setLang(next) {
      f.lang = next === 'en' ? 'en' : 'km';
      f.root.lang = f.lang;
      for (const x of f.texts) draw(x);
      for (const node of f.nodes) node.update?.();
      errors.redraw();
      if (flagEls.size) drawFlags();
    },
    settle: async () => {
      await Promise.all(f.nodes.map((n) => n.settle?.()));
    },
    validate: () => errors.validate(),
    hasShownErrors: () => !summary.hidden || Boolean(f.root.querySelector('.hw-error:not([hidden])')),
    showErrors: (list) => errors.showServer(list),
    showFlags(list) {
      serverFlags = (list || []).map((x) => ({
        path: x.path ?? '',
        code: x.code,
        message: isObject(x.message) ? x.message : { en: x.message || x.code, km: x.message_km || x.message || x.code },
      }));
      updateFlags();
    },
    focusFirstError: () => errors.focusFirst(),
    destroy() {
      f.destroyed = true;
      for (const n of f.nodes) n.destroy?.();
      f.root.remove();
    },
  };
}
