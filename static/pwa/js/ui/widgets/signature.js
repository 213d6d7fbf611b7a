// A signature field: a pad drawn with a finger, a stylus or a mouse (pointer events), exported
// as a PNG shortly after each stroke and stored through attachments.put(blob, {content_type,
// sha256}) -> sha256. The value is the hash; "Clear signature" empties it. A signature whose
// bytes left the device (js/retention.js) is drawn from the server when online; offline, a
// placeholder under the pad says it is on the server.

import { sha256Hex } from './photo.js';

const WIDTH = 900; // drawing resolution; the pad is shown at the width of the screen (3:1)
const HEIGHT = 300;
const SAVE_AFTER_MS = 400;

export function createSignature(ctx) {
  const { h, t, text, attachments } = ctx;
  const instructions = text(h('p', { class: 'hw-hint', id: `${ctx.id}-i` }), () => t('signHere'));
  const canvas = h('canvas', {
    id: ctx.id, class: 'hw-pad', width: WIDTH, height: HEIGHT, role: 'img', tabindex: '0',
    'aria-labelledby': ctx.ids.label, 'aria-describedby': `${ctx.id}-i ${ctx.describedBy}`,
    'aria-required': ctx.required ? 'true' : null,
  });
  const clear = h('button', { type: 'button', class: 'hw-button hw-secondary', disabled: ctx.readOnly });
  text(clear, () => t('clear'));
  const onServer = text(h('p', { class: 'hw-on-server', hidden: true }), () => t('signatureOnServer'));
  let status = null;
  const statusEl = text(h('p', { class: 'hw-status', role: 'status' }), () => (status ? t(status) : ''));
  const say = (key) => {
    status = key;
    statusEl.textContent = key ? t(key) : '';
  };
  const g = canvas.getContext('2d');
  let ink = false;
  let last = null;
  let timer = null;
  let ticket = 0;
  let shown = null;
  let saving = Promise.resolve(); // the latest save, for settle()

  const blank = () => {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.lineWidth = 4;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.strokeStyle = '#000';
    g.fillStyle = '#000';
    ink = false;
    onServer.hidden = true;
  };
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * WIDTH) / r.width, ((e.clientY - r.top) * HEIGHT) / r.height];
  };

  async function save() {
    if (!ink) return;
    const mine = ++ticket;
    try {
      const blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encoding failed'))), 'image/png'));
      const sha = await sha256Hex(blob);
      const stored = (await attachments.put(blob, { content_type: 'image/png', sha256: sha })) || sha;
      if (mine !== ticket) return;
      shown = stored;
      ctx.set(stored);
      say('signed');
    } catch {
      if (mine === ticket) say('photoFailed');
    }
  }

  if (!ctx.readOnly) {
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button > 0) return;
      e.preventDefault();
      canvas.setPointerCapture?.(e.pointerId);
      clearTimeout(timer);
      ticket++; // a save in flight is outdated by this stroke
      onServer.hidden = true; // a new signature replaces the one on the server
      last = point(e);
      g.beginPath();
      g.arc(last[0], last[1], g.lineWidth / 2, 0, 2 * Math.PI);
      g.fill();
      ink = true;
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!last) return;
      for (const ev of e.getCoalescedEvents?.() || [e]) {
        const p = point(ev);
        g.beginPath();
        g.moveTo(last[0], last[1]);
        g.lineTo(p[0], p[1]);
        g.stroke();
        last = p;
      }
    });
    const end = () => {
      if (!last) return;
      last = null;
      clearTimeout(timer);
      timer = setTimeout(() => { timer = null; saving = save(); }, SAVE_AFTER_MS);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear.addEventListener('click', () => {
    clearTimeout(timer);
    ticket++;
    blank();
    shown = null;
    say(null);
    ctx.set(null);
  });

  // A saved signature (a draft reopened) is drawn back on the pad.
  async function show(value) {
    if (value === shown) return;
    shown = value || null;
    blank();
    say(value ? 'signed' : null); // saved, even where this device cannot show it
    if (!value || !attachments?.url) return;
    const url = await attachments.url(value).catch(() => null);
    if (shown !== value) return;
    if (!url) {
      const where = attachments.where ? await attachments.where(value).catch(() => null) : null;
      if (shown === value && where === 'server') {
        onServer.hidden = false; // a blank pad would look unsigned
        say(null);
      }
      return;
    }
    const img = new Image();
    img.onload = () => {
      if (shown !== value) return;
      g.drawImage(img, 0, 0, WIDTH, HEIGHT);
      ink = true;
    };
    img.src = url;
  }

  blank();
  show(ctx.value());
  return {
    el: h('div', { class: 'hw-signature-widget' }, instructions, canvas, onServer, h('div', { class: 'hw-actions' }, clear), statusEl),
    inputs: [canvas],
    update: (value) => show(value),
    /** A stroke just drawn is saved now (not in SAVE_AFTER_MS); resolves once it is stored. */
    settle: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
        saving = save();
      }
      await saving;
    },
    destroy: () => clearTimeout(timer),
  };
}
