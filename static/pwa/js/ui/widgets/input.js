// A field typed in one box: text (one line, or several for `multiline` and long texts),
// integer and decimal (Khmer digits accepted), date, date and time (kept with the device's UTC
// offset), and a calculated value shown read-only.

import { formatDate, formatDateTime } from '../../i18n.js';
import { fmtValue, getAt } from './kit.js';

export function createInput(ctx) {
  const { h, id, field, value, set, parseNumber } = ctx;
  const locked = ctx.readOnly;
  const t_ = field.type;
  const number = t_ === 'integer' || t_ === 'decimal' || (t_ === 'calculate' && typeof value() === 'number');
  const long = field.appearance?.includes('multiline') || (field.max_length ?? 0) > 500;
  const props = { id, ...ctx.aria, readOnly: locked, autocomplete: 'off' };
  let input;
  if (t_ === 'text' && long) input = h('textarea', { ...props, rows: 4, maxlength: field.max_length || 2000 });
  else if (t_ === 'date') input = h('input', { ...props, type: 'date' });
  else if (t_ === 'datetime') input = h('input', { ...props, type: 'datetime-local', step: 60 });
  else if (t_ === 'text' && isTime(field)) input = h('input', { ...props, type: 'time' }); // XLSForm `time`
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
  show(value());
  // the browser's date input speaks its own locale (mm/dd/yyyy): beside it, the date as day,
  // month and year in the interface's language ("8 Dec 2026" / "៨ ធ្នូ ២០២៦")
  let el = input;
  if (t_ === 'date' || t_ === 'datetime') {
    const shown = h('span', { class: 'hw-date-shown', id: `${id}-shown`, 'aria-live': 'polite' });
    const format = t_ === 'date' ? formatDate : formatDateTime;
    ctx.text(shown, () => {
      const v = value();
      return v ? format(v, ctx.lang()) : '';
    }, true);
    const described = [input.getAttribute('aria-describedby'), shown.id].filter(Boolean).join(' ');
    input.setAttribute('aria-describedby', described);
    el = h('div', { class: 'hw-date-box' }, input, shown);
  }
  return {
    el,
    inputs: [input],
    update: show,
    // a calculated field shows the value the model computes
    refresh: field.calculation != null ? (view) => { input.value = fmtValue(getAt(view.data, ctx.path)); } : null,
  };
}

/** A text field holding a time of day (an XLSForm `time` question: appearance `time`). */
export const isTime = (field) => field.type === 'text' && (field.appearance || '').split(/\s+/).includes('time');

// 'YYYY-MM-DDTHH:MM' from a datetime-local input -> ISO 8601 with the device's UTC offset.
export function withOffset(local) {
  const [date, time] = local.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm, ss = 0] = time.split(':').map(Number);
  const off = -new Date(y, m - 1, d, hh, mm, ss).getTimezoneOffset();
  const p = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  return `${date}T${p(hh)}:${p(mm)}:${p(ss)}${off < 0 ? '-' : '+'}${p(off / 60)}:${p(off % 60)}`;
}
