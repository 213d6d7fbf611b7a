// A record of another form (an institution, a child), chosen among those on the device
// (ctx.lookupRecords(form_id) -> [{record_id, label}], label a text or {en, km}); a search box above a long list. A chosen
// record the device does not hold stays chosen, named by the start of its id.

import { MAX_BUTTONS } from './kit.js';

export function createReference(ctx) {
  const { h, field, t } = ctx;
  const select = h('select', { id: ctx.id, ...ctx.aria, disabled: ctx.readOnly });
  // the search box has a label of its own, in sight ("Search the list: Institution")
  const searchId = `${ctx.id}-search`;
  const search = h('input', { id: searchId, type: 'search', class: 'hw-search', hidden: true, autocomplete: 'off', 'aria-controls': ctx.id });
  const searchLabel = h('label', { for: searchId, class: 'hw-search-label', hidden: true });
  const status = h('p', { class: 'hw-status' });
  let records = null;
  // a label in both languages ({en, km}: an institution's Latin name in English) or one text
  const nameOf = (r) => (r.label && typeof r.label === 'object' ? ctx.pick(r.label) : String(r.label ?? r.record_id));
  // the search finds a record by its name in either language
  const names = (r) => (r.label && typeof r.label === 'object' ? Object.values(r.label).join(' ') : nameOf(r)).toLowerCase();
  ctx.text(searchLabel, () => t('searchLabel', { label: ctx.label() }));
  const draw = () => {
    const current = ctx.value();
    const query = search.value.trim().toLowerCase();
    const shown = (records || []).filter((r) => !query || r.record_id === current || names(r).includes(query))
      .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    // drawn again on setLang (update), so these texts need no registration
    const options = [h('option', { value: '' }, records ? t('choose') : t('loading'))];
    if (current && !(records || []).some((r) => r.record_id === current)) {
      options.push(h('option', { value: current }, t('unknownRecord', { id: String(current).slice(0, 8) })));
    }
    for (const r of shown) options.push(h('option', { value: r.record_id }, nameOf(r)));
    select.replaceChildren(...options);
    select.value = current || '';
    search.hidden = ctx.readOnly || !records || records.length <= MAX_BUTTONS;
    searchLabel.hidden = search.hidden;
    status.textContent = records && !records.length ? t('noRecords') : '';
  };
  select.addEventListener('change', () => ctx.set(select.value || null));
  search.addEventListener('input', draw);
  draw();
  Promise.resolve(ctx.lookupRecords ? ctx.lookupRecords(field.reference.form_id) : [])
    .then((list) => {
      if (ctx.destroyed()) return;
      records = Array.isArray(list) ? list : [];
      draw();
    })
    .catch(() => {
      records = [];
      draw();
    });
  return { el: h('div', { class: 'hw-reference' }, searchLabel, search, select, status), inputs: [select], update: draw };
}
