// A form's location field (schema.location_field, a commune code) as a list of the communes in
// the user's scope (GET /api/v1/locations, kept on the device), each "Name (code)": a code
// outside the scope, or a typo, cannot be chosen. A scope of one commune leaves one choice,
// filled in for a new record (js/ui/editor.js). A value not in the list (an older record) stays
// chosen, shown by its code.

export function createLocation(ctx, locations) {
  const { h, t } = ctx;
  const select = h('select', { id: ctx.id, ...ctx.aria, disabled: ctx.readOnly });
  const draw = () => {
    const current = ctx.value();
    const options = [h('option', { value: '' }, t('choose'))];
    if (current && !locations.some((l) => l.code === current)) options.push(h('option', { value: current }, String(current)));
    for (const l of locations) options.push(h('option', { value: l.code }, `${ctx.pick(l.name) || l.code} (${l.code})`));
    select.replaceChildren(...options);
    select.value = current || '';
  };
  select.addEventListener('change', () => ctx.set(select.value || null));
  draw();
  return { el: h('div', { class: 'hw-location' }, select), inputs: [select], update: draw };
}
