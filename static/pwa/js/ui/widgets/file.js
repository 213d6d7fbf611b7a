// An attachment that is not a picture: a recording (audio, video) or any file, as an XLSForm's
// `audio`, `video` and `file` questions import (a `photo` field whose media.content_types names
// no image type, docs/xlsform.md). The file is stored as chosen (no reduction), hashed with
// SHA-256 through attachments.put(blob, {content_type, sha256}); the value is the hash.

import { sha256Hex } from './photo.js';

/** Whether a photo field takes files other than pictures (then this widget draws it). */
export function isPlainFile(field) {
  const types = field.media?.content_types;
  return Array.isArray(types) && types.length > 0 && !types.some((t) => t.startsWith('image/'));
}

/** The file input's `accept`: the content types, or nothing for any file. */
export function acceptOf(field) {
  const types = (field.media?.content_types || []).filter((t) => t !== '*/*');
  return types.length ? types.join(',') : null;
}

/** Whether a file fits the field: its size within media.max_size_bytes. */
export function fits(field, size) {
  const max = field.media?.max_size_bytes;
  return !max || size <= max;
}

export function createFile(ctx) {
  const { h, t, text, field, attachments } = ctx;
  const input = h('input', {
    type: 'file', id: ctx.id, class: 'hw-file', accept: acceptOf(field),
    'aria-labelledby': ctx.ids.label, 'aria-describedby': ctx.describedBy, 'aria-required': ctx.required ? 'true' : null, disabled: ctx.readOnly,
  });
  let status = null;
  const statusEl = text(h('p', { class: 'hw-status', role: 'status' }), () => (status ? t(status) : ''));
  const say = (key) => { status = key; statusEl.textContent = key ? t(key) : ''; };
  const remove = h('button', { type: 'button', class: 'hw-button hw-secondary', hidden: !ctx.value(), disabled: ctx.readOnly });
  text(remove, () => t('removeFile'));
  let saving = Promise.resolve();
  input.addEventListener('change', () => { saving = keep(); });
  async function keep() {
    const file = input.files?.[0];
    if (!file) return;
    try {
      if (!fits(field, file.size)) throw new RangeError('too large');
      const sha = await sha256Hex(file);
      if (!attachments?.put) throw new Error('no attachment store');
      const stored = (await attachments.put(file, { content_type: file.type || 'application/octet-stream', sha256: sha })) || sha;
      ctx.set(stored);
      remove.hidden = false;
      say('fileSaved');
    } catch (err) {
      say(err instanceof RangeError ? 'fileTooLarge' : 'fileFailed');
    }
  }
  remove.addEventListener('click', () => {
    ctx.set(null);
    input.value = '';
    remove.hidden = true;
    say(null);
  });
  if (ctx.value()) say('fileSaved');
  return {
    el: h('div', { class: 'hw-file-widget' }, input, statusEl, remove),
    inputs: [input],
    update: (value) => { remove.hidden = !value; if (!value) say(null); },
    settle: () => saving,
  };
}
