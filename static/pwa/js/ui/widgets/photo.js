// A photo field: the camera (or a picture on the device), reduced ON THE DEVICE to at most
// 1600 px on the long side and re-encoded as JPEG at quality 0.8 (about 200–400 kB instead of
// 3–8 MB, and the EXIF block with the phone's GPS position is gone), hashed with SHA-256 and
// stored through attachments.put(blob, {content_type, sha256}) -> sha256. The value is the hash.
// A photo whose bytes left the device (js/retention.js) is shown from the server when online;
// offline, or when the server cannot be reached, a placeholder says it is on the server.

export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// {blob, width, height}: the image drawn at most maxSide px on its long side, encoded as `type`.
export async function downscale(file, { maxSide = MAX_SIDE, type = 'image/jpeg', quality = QUALITY } = {}) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  const g = canvas.getContext('2d');
  g.imageSmoothingQuality = 'high';
  if (type === 'image/jpeg') {
    g.fillStyle = '#fff'; // JPEG has no transparency
    g.fillRect(0, 0, width, height);
  }
  g.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = canvas.convertToBlob
    ? await canvas.convertToBlob({ type, quality })
    : await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encoding failed'))), type, quality));
  return { blob, width, height };
}

function outputType(media) {
  const allowed = media?.content_types;
  if (!allowed?.length || allowed.includes('image/jpeg')) return 'image/jpeg';
  return ['image/png', 'image/webp'].find((x) => allowed.includes(x)) || 'image/jpeg';
}

export function createPhoto(ctx) {
  const { h, t, text, field, attachments } = ctx;
  const maxBytes = field.media?.max_size_bytes;
  const type = outputType(field.media);
  const input = h('input', {
    // the browser's own file input speaks the browser's language ("Choose File", "No file
    // chosen"): it stays for the camera and the file picker, out of sight; our button opens it
    type: 'file', id: ctx.id, class: 'hw-file hw-visually-hidden', tabindex: '-1', accept: 'image/*', capture: 'environment',
    'aria-labelledby': ctx.ids.label, 'aria-describedby': ctx.describedBy, 'aria-required': ctx.required ? 'true' : null, disabled: ctx.readOnly,
  });
  const choose = h('button', {
    type: 'button', id: `${ctx.id}-choose`, class: 'hw-button hw-photo-choose', disabled: ctx.readOnly,
    'aria-describedby': ctx.describedBy,
  });
  text(choose, () => (ctx.value() ? t('changePhoto') : t('choosePhoto')));
  choose.addEventListener('click', () => input.click());
  const thumb = h('img', { class: 'hw-thumb', hidden: true });
  text(thumb, () => t('photoAlt', { label: ctx.label() }), false, 'alt');
  const onServer = text(h('p', { class: 'hw-on-server', hidden: true }), () => t('photoOnServer'));
  let status = null;
  const statusEl = text(h('p', { class: 'hw-status', role: 'status' }), () => (status ? t(status.key, status.params) : ''));
  const say = (key, params = {}) => {
    status = key ? { key, params } : null;
    statusEl.textContent = status ? t(key, params) : '';
  };
  const remove = h('button', { type: 'button', class: 'hw-button hw-secondary', hidden: true, disabled: ctx.readOnly });
  text(remove, () => t('removePhoto'));
  let objectUrl = null;
  let shown = null; // the hash the preview shows
  let ticket = 0;

  const preview = (src, remote = false) => {
    if (objectUrl && objectUrl !== src) URL.revokeObjectURL(objectUrl);
    objectUrl = src && src.startsWith('blob:') ? src : null;
    thumb.hidden = !src;
    onServer.hidden = !remote;
    if (src) thumb.src = src;
    else thumb.removeAttribute('src');
    remove.hidden = !src && !ctx.value();
    choose.textContent = ctx.value() || src ? t('changePhoto') : t('choosePhoto');
  };

  async function show(value) {
    if (value === shown) return;
    shown = value || null;
    if (!value) return preview(null);
    const url = attachments?.url ? await attachments.url(value).catch(() => null) : null;
    const where = !url && attachments?.where ? await attachments.where(value).catch(() => 'unknown') : null;
    if (shown !== value) return;
    preview(url, where === 'server');
    remove.hidden = false;
    if (!url) say(where === 'server' ? null : 'noPreview');
  }

  let saving = Promise.resolve(); // the photo being reduced and stored, for settle()
  input.addEventListener('change', () => { saving = take(); });
  async function take() {
    const file = input.files?.[0];
    if (!file) return;
    const mine = ++ticket;
    say('photoWorking');
    try {
      let out = null;
      for (const quality of [QUALITY, 0.6, 0.45]) {
        out = await downscale(file, { type, quality });
        if (!maxBytes || out.blob.size <= maxBytes) break;
      }
      if (maxBytes && out.blob.size > maxBytes) throw new RangeError('too large');
      const sha = await sha256Hex(out.blob);
      if (!attachments?.put) throw new Error('no attachment store');
      const stored = (await attachments.put(out.blob, { content_type: out.blob.type, sha256: sha })) || sha;
      if (mine !== ticket) return;
      shown = stored;
      preview(URL.createObjectURL(out.blob));
      ctx.set(stored);
      say('photoSaved', { w: out.width, h: out.height });
    } catch (err) {
      if (mine === ticket) say(err instanceof RangeError ? 'photoTooLarge' : 'photoFailed');
    } finally {
      input.value = ''; // choosing the same picture again still fires `change`
    }
  }

  remove.addEventListener('click', () => {
    ticket++;
    shown = null;
    preview(null);
    remove.hidden = true;
    say(null);
    ctx.set(null);
    choose.textContent = t('choosePhoto');
    choose.focus();
  });

  show(ctx.value());
  return {
    el: h('div', { class: 'hw-photo-widget' }, input, choose, thumb, onServer, statusEl, remove),
    inputs: [choose, input],
    update: (value) => show(value),
    settle: () => saving, // resolves once a photo being taken is stored (or failed)
    destroy: () => preview(null),
  };
}
