// A geopoint field: "Record location" watches the device's position for up to a minute and
// keeps the most accurate fix, stopping at once when it is within 10 m (else 8 s after the first
// fix: the button then says "Record again", not "Stop"); the latitude, longitude
// and accuracy are shown. Where there is no GPS (or permission), they can be typed by hand.
// The value: {lat, lon, accuracy, altitude?} (degrees, metres).

const GOOD_ENOUGH_M = 10;
const GIVE_UP_MS = 60000;
const IMPROVE_MS = 8000; // after a first fix, how long a better one is waited for

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

export function createGeopoint(ctx) {
  const { h, t, text } = ctx;
  const geo = globalThis.navigator?.geolocation;
  let watch = null; // the watchPosition id while recording
  let timer = null;
  let best = null;
  const button = h('button', { type: 'button', class: 'hw-button hw-geo-button', disabled: ctx.readOnly, 'aria-describedby': ctx.describedBy });
  let status = null;
  const statusEl = h('p', { class: 'hw-geo-value', role: 'status' });
  text(statusEl, () => (status ? t(status.key, status.params) : ''));
  const say = (key, params = {}) => {
    status = key ? { key, params } : null;
    statusEl.textContent = status ? t(key, params) : '';
  };

  const part = (key, name) => {
    const id = `${ctx.id}-${name}`;
    const label = text(h('label', { for: id, id: `${id}-l` }), () => t(key));
    const input = h('input', {
      id, type: 'text', inputmode: 'decimal', autocomplete: 'off', readOnly: ctx.readOnly,
      'aria-labelledby': `${ctx.ids.label} ${id}-l`, 'aria-describedby': ctx.describedBy,
      'aria-required': ctx.required ? 'true' : null,
    });
    input.addEventListener('input', typed);
    return { name, input, el: h('div', { class: 'hw-geo-part' }, label, input) };
  };
  const parts = [part('latitude', 'lat'), part('longitude', 'lon'), part('accuracy', 'accuracy')];
  const summary = text(h('summary', {}), () => t('manual'));
  const details = h('details', { class: 'hw-geo-manual' }, summary, ...parts.map((p) => p.el));

  function typed() {
    const point = {};
    for (const p of parts) {
      const v = ctx.parseNumber(p.input.value, false);
      if (v !== null) point[p.name] = v;
    }
    ctx.set(Object.keys(point).length ? point : null);
    showStatus(ctx.value());
  }

  const valid = (v) => v && typeof v.lat === 'number' && typeof v.lon === 'number' && typeof v.accuracy === 'number';
  const showStatus = (v) => {
    if (valid(v)) say('located', { lat: v.lat.toFixed(6), lon: v.lon.toFixed(6), acc: String(round(v.accuracy, 1)) });
    else if (watch === null) say(null);
  };
  const show = (v) => {
    for (const p of parts) {
      if (document.activeElement === p.input) continue;
      const x = v?.[p.name];
      p.input.value = x === undefined || x === null ? '' : String(x);
    }
    showStatus(v);
    drawButton();
  };

  const buttonText = () => (watch !== null ? t('stop') : valid(ctx.value()) ? t('recordAgain') : t('recordLocation'));
  text(button, buttonText);
  const drawButton = () => {
    button.textContent = buttonText();
  };

  const stop = () => {
    if (watch !== null && watch !== -1) geo?.clearWatch(watch);
    watch = null;
    clearTimeout(timer);
    drawButton();
  };

  button.addEventListener('click', () => {
    if (watch !== null) return stop();
    if (!geo) {
      say('noGeo');
      details.open = true;
      return;
    }
    best = null;
    say('searching');
    // a fix good enough may arrive before watchPosition has returned its id: `recording` says
    // whether this recording is still on, and a watch stopped that early is cleared at once
    let recording = true;
    let improving = false;
    const finish = () => {
      recording = false;
      stop();
    };
    watch = -1; // recording (the id follows)
    const id = geo.watchPosition(
      (pos) => {
        if (!recording) return;
        const c = pos.coords;
        if (best && c.accuracy >= best.accuracy) return;
        best = { lat: round(c.latitude, 7), lon: round(c.longitude, 7), accuracy: round(c.accuracy, 1) };
        if (c.altitude !== null && c.altitude !== undefined) best.altitude = round(c.altitude, 1);
        if (c.accuracy <= GOOD_ENOUGH_M) finish(); // stopped before the value is shown: "Record again"
        else if (!improving) {
          // a fix, not a close one: a better one is awaited a few seconds, not the whole minute
          improving = true;
          clearTimeout(timer);
          timer = setTimeout(finish, IMPROVE_MS);
        }
        ctx.set(best);
        show(best);
      },
      (err) => {
        if (!recording) return;
        finish();
        if (best) return;
        say(err.code === 1 ? 'geoDenied' : 'geoFailed');
        details.open = true;
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: GIVE_UP_MS },
    );
    if (!recording) {
      geo.clearWatch(id);
      return;
    }
    watch = id;
    if (!improving) timer = setTimeout(stop, GIVE_UP_MS);
    drawButton();
  });

  show(ctx.value());
  return {
    el: h('div', { class: 'hw-geo' }, button, statusEl, details),
    fieldset: true, // a button and three boxes under the field's legend
    inputs: [button, ...parts.map((p) => p.input)],
    update: show,
    focus: () => button.focus(),
    destroy: stop,
  };
}
