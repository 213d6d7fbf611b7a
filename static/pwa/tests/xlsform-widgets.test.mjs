// The widgets XLSForm imports need (docs/xlsform.md): `audio`, `video` and `file` questions are
// photo fields whose media.content_types names no image (drawn by file.js, not photo.js, which
// would try to reduce them as pictures); `time` is a text field with appearance `time` (a time
// input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptOf, fits, isPlainFile } from '../js/ui/widgets/file.js';
import { isTime } from '../js/ui/widgets/input.js';

test('a photo field taking audio, video or any file is a plain file; a picture is not', () => {
  assert.equal(isPlainFile({ type: 'photo', media: { content_types: ['audio/*'] } }), true);
  assert.equal(isPlainFile({ type: 'photo', media: { content_types: ['video/*'] } }), true);
  assert.equal(isPlainFile({ type: 'photo', media: { content_types: ['*/*'] } }), true);
  assert.equal(isPlainFile({ type: 'photo' }), false);
  assert.equal(isPlainFile({ type: 'photo', media: { content_types: ['image/png'] } }), false);
  assert.equal(isPlainFile({ type: 'photo', media: { content_types: [] } }), false);
});

test('the file input accepts the content types, or any file', () => {
  assert.equal(acceptOf({ media: { content_types: ['audio/*'] } }), 'audio/*');
  assert.equal(acceptOf({ media: { content_types: ['*/*'] } }), null);
  assert.equal(fits({ media: { max_size_bytes: 10 } }, 11), false);
  assert.equal(fits({ media: { max_size_bytes: 10 } }, 10), true);
  assert.equal(fits({}, 1e9), true);
});

test('a text field with appearance time is a time of day', () => {
  assert.equal(isTime({ type: 'text', appearance: 'time' }), true);
  assert.equal(isTime({ type: 'text', appearance: 'time multiline' }), true);
  assert.equal(isTime({ type: 'text', appearance: 'timeline' }), false);
  assert.equal(isTime({ type: 'text' }), false);
  assert.equal(isTime({ type: 'integer', appearance: 'time' }), false);
});

test('a path through names with a hyphen (ODK allows them) is read by the merge', async () => {
  const { parsePath } = await import('../js/merge.js');
  assert.deepEqual(parsePath('house-hold[k-1].child-age'), [['house-hold', 'k-1'], ['child-age', null]]);
});
