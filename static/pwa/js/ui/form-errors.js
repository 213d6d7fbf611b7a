// The form's errors: each under its field (its inputs aria-invalid), and a summary at the top
// linking to each. A field's own errors show live once it was left (blur; `required` waits for
// validate()), every error after validate(); the server's errors by path until the field changes.

import { isObject } from '../form-model.js';
import { h, toKhmerDigits } from './widgets/kit.js';

/** A message {en, km} in the form's language; numbers in Khmer digits in Khmer. */
export const sayMessage = (f, m) => (f.lang === 'km' ? toKhmerDigits(f.pick(m)) : f.pick(m));

const SUMMARY_ITEMS = 8; // the error summary links to the first few; each field shows its own

const normalise = (e) => ({
  path: e.path ?? '',
  code: e.code,
  message: isObject(e.message) ? e.message : { en: e.message || e.code, km: e.message_km || e.message || e.code },
});

/** Show `msgs` (texts in both languages) in `el` and mark `targets` invalid; none: clear them. */
export function showError(f, el, msgs, targets) {
  const on = Boolean(msgs && msgs.length);
  el.hidden = !on;
  el.textContent = on ? msgs.map((m) => sayMessage(f, m)).join(' ') : '';
  for (const target of targets) {
    if (on) target.setAttribute('aria-invalid', 'true');
    else target.removeAttribute('aria-invalid');
  }
}

/** The errors of form `f` (its nodes, model and answers), drawn in `summary`; `announcer`
 * (role=status) says how many there are after validate(). */
export function createErrors(f, { summary, announcer }) {
  let showAll = false; // after validate(): every error, live
  const touched = new Set(); // paths left once (blur): their errors, but not `required`, live
  let serverErrors = [];
  let shownErrors = [];

  // The node an error belongs to: the field, else its row or repeat (`inspectors.0._row_id`).
  function nodeFor(path) {
    for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const node = f.nodes.find((n) => n.path === p);
      if (node) return node;
    }
    return null;
  }

  function live() {
    if (!showAll && !touched.size && !serverErrors.length && !shownErrors.length) return;
    const own = showAll || touched.size ? f.model.validate(f.raw).filter((e) => showAll || (touched.has(e.path) && e.code !== 'required')) : [];
    render([...own, ...serverErrors]);
  }

  function render(errors) {
    shownErrors = errors;
    const byNode = new Map();
    for (const e of errors) {
      const node = nodeFor(e.path);
      if (!node || node.wrap.hidden) continue;
      const msgs = byNode.get(node) || [];
      // one message once (a rule and a constraint, or the device and the server, may say the same)
      if (!msgs.some((m) => m.en === e.message.en && m.km === e.message.km)) byNode.set(node, [...msgs, e.message]);
    }
    for (const node of f.nodes) node.setError(byNode.get(node) || null);
    drawSummary(errors);
  }

  function drawSummary(errors) {
    // a record shown read-only lists the server's errors above the form: not a second time here
    summary.hidden = !errors.length || (!showAll && !serverErrors.length) || f.readOnly;
    if (summary.hidden) return summary.replaceChildren();
    const items = errors.map((e) => {
      const node = nodeFor(e.path);
      const name = node?.field?.label ? f.pick(node.field.label) : e.path;
      const line = `${name ? `${name}: ` : ''}${sayMessage(f, e.message)}`;
      if (!node?.focus) return h('li', {}, line);
      return h('li', {}, h('a', { href: `#${node.inputs?.[0]?.id || ''}`, onclick: (ev) => { ev.preventDefault(); focusNode(node); } }, line));
    });
    const more = items.length > SUMMARY_ITEMS ? h('li', {}, f.t('more', { n: items.length - SUMMARY_ITEMS })) : null;
    summary.replaceChildren(
      h('p', { class: 'hw-summary-title' }, errors.length === 1 ? f.t('problem') : f.t('problems', { n: errors.length })),
      h('ul', {}, items.slice(0, SUMMARY_ITEMS), more),
    );
  }

  function focusNode(node) {
    node.wrap.scrollIntoView?.({ block: 'center' });
    node.focus?.();
  }

  f.root.addEventListener('focusout', (ev) => {
    const wrap = ev.target.closest?.('[data-path]');
    if (!wrap || wrap.contains(ev.relatedTarget)) return;
    touched.add(wrap.dataset.path);
    live();
  });

  return {
    live,
    /** The field at `path` counts as left: its errors (but `required`) show live from now on. */
    touch(path) { touched.add(path); },
    redraw: () => render(shownErrors),
    /** The field at `path` changed: the server's errors about it no longer hold. */
    forget(path) { serverErrors = serverErrors.filter((e) => e.path !== path); },
    validate() {
      showAll = true;
      const errors = f.model.validate(f.raw);
      render([...errors, ...serverErrors]);
      announcer.textContent = errors.length ? (errors.length === 1 ? f.t('problem') : f.t('problems', { n: errors.length })) : '';
      return errors;
    },
    showServer(errors) {
      serverErrors = (errors || []).map(normalise);
      render([...(showAll ? f.model.validate(f.raw) : []), ...serverErrors]);
    },
    focusFirst() {
      const node = f.nodes.find((n) => n.wrap.querySelector(':scope > .hw-error:not([hidden])') && !n.wrap.closest('[hidden]'));
      if (node) focusNode(node);
      else if (!summary.hidden) summary.focus();
      return Boolean(node);
    },
  };
}
