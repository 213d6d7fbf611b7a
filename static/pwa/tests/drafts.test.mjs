// Drafts (js/drafts.js): a new draft, and a draft brought up to a revision of its record pulled
// after it began: the server's three-way merge, with the draft's value kept at a clash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formPath, newDraft, openClashes, rebaseDraft, rowKeysFor } from '../js/drafts.js';
import { merge3, parsePath, valueAt } from '../js/merge.js';

const inspection = JSON.parse(readFileSync(new URL('../../../app/forms/definitions/institution_inspection.json', import.meta.url), 'utf8'));
const VECTORS = JSON.parse(readFileSync(new URL('../../../tests/vectors/merge.json', import.meta.url), 'utf8'));

const FORM = { form_id: 'institution_inspection', version: inspection.version, title: inspection.title };
const BASE = {
  beds: 20,
  staff: { staff_total: 10, carers: 6 },
  inspectors: [{ _row_id: 'r1', inspector_name: 'Keo Vanna' }],
  follow_up_actions: 'Register every child.',
};

const draftOf = (data, over = {}) => ({
  ...newDraft({ username: 'inspector.sr', form: FORM, record_id: 'rec', base_rev: 1, base_data: BASE, data }),
  ...over,
});
const pulledAt = (rev, data) => ({ record_id: 'rec', form_id: FORM.form_id, form_version: FORM.version, rev, data });

test('a new draft knows its base data only when it edits a known revision', () => {
  const fresh = newDraft({ username: 'u', form: FORM });
  assert.equal(fresh.base_rev, null);
  assert.equal(fresh.base_data, null);
  assert.deepEqual(fresh.clashes, []);
  assert.equal(fresh.form_version, FORM.version);
  assert.notEqual(fresh.record_id, fresh.draft_id);
  assert.equal(newDraft({ username: 'u', form: FORM, base_data: BASE }).base_data, null, 'no base_rev: no base');
  const edit = newDraft({ username: 'u', form: FORM, record_id: 'rec', base_rev: 3, base_data: BASE, version: '0.9' });
  assert.deepEqual(edit.base_data, BASE);
  assert.notEqual(edit.base_data, BASE, 'a copy');
  assert.equal(edit.form_version, '0.9');
});

test('row keys come from the form: every repeat, nested ones by their shape', () => {
  const keys = rowKeysFor(inspection.fields);
  assert.equal(keys.inspectors, '_row_id');
  assert.equal(keys.photos, '_row_id');
  const nested = [{ name: 'members', type: 'repeat', fields: [{ name: 'g', type: 'group', fields: [{ name: 'ill', type: 'repeat', row_key: 'ill_id', fields: [] }] }] }];
  assert.deepEqual(rowKeysFor(nested), { members: '_row_id', 'members[].g.ill': 'ill_id' });
});

test('nothing to do without a newer pulled revision or without the base data', () => {
  const draft = draftOf({ ...BASE, beds: 24 });
  assert.equal(rebaseDraft(draft, null, inspection), null);
  assert.equal(rebaseDraft(draft, pulledAt(1, { ...BASE, beds: 22 }), inspection), null, 'same revision');
  assert.equal(rebaseDraft(draft, { ...pulledAt(2, BASE), record_id: 'other' }, inspection), null);
  assert.equal(rebaseDraft({ ...draft, base_data: null }, pulledAt(2, { ...BASE, beds: 22 }), inspection), null);
  assert.equal(rebaseDraft({ ...draft, base_rev: null }, pulledAt(2, { ...BASE, beds: 22 }), inspection), null);
});

test('the server\'s changes come in, the user\'s stay, and a clash keeps the user\'s value', () => {
  const draft = draftOf({
    ...BASE,
    beds: 24, // both changed: a clash
    follow_up_actions: 'Register every child by Friday.', // only the user
    inspectors: [...BASE.inspectors, { _row_id: 'r2', inspector_name: 'Ly Sreymom' }], // a row added here
  });
  const server = {
    ...BASE,
    beds: 22,
    staff: { staff_total: 10, carers: 8 }, // only the server
    inspectors: [...BASE.inspectors, { _row_id: 'r3', inspector_name: 'Chan Sophal' }], // and there
  };
  const before = structuredClone([draft, server]);
  const { draft: next, clashes } = rebaseDraft(draft, pulledAt(2, server), inspection);
  assert.deepEqual([draft, server], before, 'inputs are not mutated');
  assert.equal(next.data.beds, 24);
  assert.equal(next.data.follow_up_actions, 'Register every child by Friday.');
  assert.deepEqual(next.data.staff, { staff_total: 10, carers: 8 });
  assert.deepEqual(next.data.inspectors.map((r) => r._row_id), ['r1', 'r2', 'r3'], 'both new rows, the draft\'s order first');
  assert.deepEqual(clashes, [{ path: 'beds', server_value: 22, client_value: 24 }]);
  assert.deepEqual(next.clashes, clashes);
  assert.equal(next.base_rev, 2);
  assert.deepEqual(next.base_data, server);
  assert.notEqual(next.base_data, server);
  assert.equal(rebaseDraft(next, pulledAt(2, server), inspection), null, 'caught up: nothing more');
});

test('a clash stays open until the answer is the server\'s, and names its field', () => {
  const draft = draftOf({ ...BASE, inspectors: [{ _row_id: 'r1', inspector_name: 'Keo V.' }] });
  const server = { ...BASE, inspectors: [{ _row_id: 'r1', inspector_name: 'Keo Vanna Sok' }] };
  const { draft: next } = rebaseDraft(draft, pulledAt(2, server), inspection);
  assert.deepEqual(openClashes(next, inspection), [{
    path: 'inspectors[r1].inspector_name', at: 'inspectors.0.inspector_name', server_value: 'Keo Vanna Sok', client_value: 'Keo V.',
  }]);
  const settled = { ...next.data, inspectors: [{ _row_id: 'r1', inspector_name: 'Keo Vanna Sok' }] };
  assert.deepEqual(openClashes(next, inspection, settled), []);
  // a later revision that changes nothing there keeps the earlier clash open
  const later = rebaseDraft(next, pulledAt(3, { ...server, beds: 21 }), inspection);
  assert.equal(later.draft.data.beds, 21);
  assert.deepEqual(later.clashes, []);
  assert.deepEqual(openClashes(later.draft, inspection).map((c) => c.path), ['inspectors[r1].inspector_name']);
});

test('a row the user removed but the server edited stays removed, the clash names the row', () => {
  const draft = draftOf({ ...BASE, inspectors: [] });
  const server = { ...BASE, inspectors: [{ _row_id: 'r1', inspector_name: 'Keo Vanna Sok' }] };
  const { draft: next, clashes } = rebaseDraft(draft, pulledAt(2, server), inspection);
  assert.deepEqual(next.data.inspectors, []);
  assert.deepEqual(clashes, [{ path: 'inspectors[r1]', server_value: server.inspectors[0], client_value: null, client_absent: true }]);
  assert.deepEqual(openClashes(next, inspection).map((c) => c.at), ['inspectors.0'], 'named from the server\'s copy');
});

test('calculated values are recomputed by the form, not shown as clashes', () => {
  const calc = inspection.fields.flatMap((f) => (f.fields || []).map((g) => ({ ...g, group: f.name }))).find((g) => g.type === 'calculate');
  assert.ok(calc, 'the inspection has a calculated field in a group');
  const base = { ...BASE, [calc.group]: { [calc.name]: 1 } };
  const draft = draftOf({ ...base, [calc.group]: { [calc.name]: 2 } }, { base_data: base });
  const { clashes, draft: next } = rebaseDraft(draft, pulledAt(2, { ...base, [calc.group]: { [calc.name]: 3 } }), inspection);
  assert.deepEqual(clashes, []);
  assert.deepEqual(next.clashes, []);
  // and a read-only value with a calculation (children per carer) likewise
  const ratio = { ...BASE, staff: { ...BASE.staff, carer_child_ratio: 2 } };
  const again = rebaseDraft(draftOf({ ...ratio, staff: { ...ratio.staff, carer_child_ratio: 3 } }, { base_data: ratio }),
    pulledAt(2, { ...ratio, staff: { ...ratio.staff, carer_child_ratio: 4 } }), inspection);
  assert.deepEqual(again.clashes, []);
});

test('form paths name rows by their index', () => {
  const rowKeys = { members: '_row_id', 'members[].ill': 'ill_id' };
  const data = { members: [{ _row_id: 'a' }, { _row_id: 'b', ill: [{ ill_id: 'x' }, { ill_id: 'y', t: 1 }] }] };
  assert.equal(formPath(data, 'members[b].ill[y].t', rowKeys), 'members.1.ill.1.t');
  assert.equal(formPath(data, 'members[c].age', rowKeys), 'members');
  assert.equal(formPath(data, 'beds', rowKeys), 'beds');
});

// --- against the shared merge table (tests/vectors/merge.json, the server's own) ---------------

/** A form whose repeats carry the vector's row keys. */
function schemaFor(rowKeys) {
  const fields = [];
  for (const [shape, key] of Object.entries(rowKeys || {})) {
    let level = fields;
    const names = shape.replaceAll('[]', '').split('.');
    names.forEach((name, i) => {
      let f = level.find((x) => x.name === name);
      if (!f) level.push(f = { name, type: 'repeat', fields: [] });
      if (i === names.length - 1) f.row_key = key;
      level = f.fields;
    });
  }
  return { fields };
}

/** Put `value` (undefined: remove) at a data path in `data`, rows found by key. */
function putAt(data, path, value, rowKeys) {
  const steps = parsePath(path);
  let node = data;
  let shape = '';
  steps.forEach(([name, rowKey], i) => {
    shape = shape ? `${shape}.${name}` : name;
    const last = i === steps.length - 1;
    if (rowKey === null) {
      if (last) { if (value === undefined) delete node[name]; else node[name] = value; }
      node = node[name];
      return;
    }
    const key = Object.entries(rowKeys || {}).find(([s]) => s.replaceAll('[]', '') === shape)?.[1] ?? '_row_id';
    const rows = node[name];
    const at = rows.findIndex((r) => r[key] === rowKey);
    if (last) {
      if (value === undefined) rows.splice(at, 1);
      else if (at < 0) rows.push(value);
      else rows[at] = value;
    }
    node = rows[at];
  });
}

/** Rows in a canonical order (by their key), so two merges that differ only in the order of
 * rows added on both sides compare equal. */
function canonical(value) {
  if (Array.isArray(value)) {
    const rows = value.map(canonical);
    const key = ['_row_id', 'visit_id', 'illness_id'].find((k) => rows.every((r) => r && typeof r === 'object' && typeof r[k] === 'string'));
    return key ? rows.sort((a, b) => a[key].localeCompare(b[key])) : rows;
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  return value;
}

for (const c of VECTORS) {
  test(`a draft catching up: ${c.name}`, () => {
    const schema = schemaFor(c.row_keys);
    const draft = { draft_id: 'd', record_id: 'rec', base_rev: 1, base_data: c.base, data: c.client, clashes: [] };
    const result = rebaseDraft(draft, { record_id: 'rec', rev: 2, data: c.server }, schema);
    const byPath = (a, b) => a.path.localeCompare(b.path);
    // the same clashes as the server finds, named the same way (server_value is the server's)
    assert.deepEqual([...result.clashes].sort(byPath), [...c.expected_clashes].sort(byPath));
    // the server's merge, but the draft's value wherever they clash
    const expected = structuredClone(c.expected_data);
    for (const clash of c.expected_clashes) putAt(expected, clash.path, structuredClone(valueAt(c.client, clash.path, { rowKeys: c.row_keys })), c.row_keys);
    assert.deepEqual(canonical(result.draft.data), canonical(expected));
    assert.deepEqual(result.draft.base_data, c.server);
    // and merge3 itself still answers the vector (the draft's merge is the same function)
    assert.deepEqual(merge3(c.base, c.server, c.client, { rowKeys: c.row_keys ?? undefined }).data, c.expected_data);
  });
}
