// The tablet's form logic (js/form-model.js) against the shared vectors in
// tests/vectors/validation.json, the same file the server's validate_submission passes
// (tests/unit/test_validation_vectors.py): same errors (path, code), same cleaned data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createModel } from '../js/form-model.js';

const root = new URL('../../../', import.meta.url);
const VECTORS = JSON.parse(readFileSync(new URL('tests/vectors/validation.json', root), 'utf8'));
const FORMS = new Map();
const builtin = (formId) => {
  if (!FORMS.has(formId)) FORMS.set(formId, JSON.parse(readFileSync(new URL(`app/forms/definitions/${formId}.json`, root), 'utf8')));
  return FORMS.get(formId);
};
const lookupRecord = (formId, recordId) => VECTORS.records[recordId] ?? null;
const modelFor = (c) => createModel(c.schema ?? builtin(c.form_id), { today: c.today, now: c.now ?? VECTORS.now, lookupRecord });
const pairs = (errors) => errors.map((e) => `${e.path} ${e.code}`).sort();

test('the vectors file has at least 60 cases', () => {
  assert.ok(VECTORS.cases.length >= 60);
});

for (const c of VECTORS.cases) {
  test(c.name, { skip: c.server_only ? 'needs server-only data' : false }, () => {
    const before = structuredClone(c.data);
    const { errors, data } = modelFor(c).check(c.data);
    assert.deepEqual(pairs(errors), pairs(c.expected_errors.map(([path, code]) => ({ path, code }))));
    if (c.expected_messages) {
      const got = errors.map((e) => [e.path, e.code, e.message.en, e.message.km]);
      const key = (x) => x.join('\u0000');
      assert.deepEqual(got.map(key).sort(), c.expected_messages.map(key).sort());
    }
    if (c.expected_data) assert.deepEqual(data, c.expected_data);
    assert.deepEqual(c.data, before, 'the data is not mutated');
  });
}

// --- what the renderer relies on -------------------------------------------------------------

const inspection = () => createModel(builtin('institution_inspection'), { today: '2026-11-24', now: '2026-11-24T09:00:00+07:00' });

test('defaults: dynamic today(), min_count rows each with a fresh _row_id', () => {
  const d = createModel(builtin('placement_recommendation'), { today: '2026-11-24' }).defaults();
  assert.equal(d.recommendation_date, '2026-11-24');
  assert.equal(d.ccwc_members.length, 2);
  assert.match(d.ccwc_members[0]._row_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(d.ccwc_members[0]._row_id, d.ccwc_members[1]._row_id);
});

test('newRow: a row key for the repeat, by schema or data path', () => {
  const m = inspection();
  assert.deepEqual(Object.keys(m.newRow('photos')), ['_row_id']);
  assert.throws(() => m.newRow('beds'));
});

test('relevance and visibleTree: the abuse group appears with an allegation', () => {
  const m = inspection();
  assert.equal(m.relevant('abuse.abuse_description', { abuse_allegation: 'no' }), false);
  assert.equal(m.relevant('abuse.abuse_description', { abuse_allegation: 'yes' }), true);
  const tree = m.visibleTree({ abuse_allegation: 'yes', abuse: { referred_to_rrt: 'no' } });
  assert.ok(tree.visible('abuse.not_referred_reason'));
  assert.ok(!tree.visible('abuse.rrt_referral_date'));
  assert.ok(tree.hidden.has('abuse.rrt_referral_date'));
});

test('recompute: calculations live, hidden values dropped, a half-typed value kept', () => {
  const m = inspection();
  const out = m.recompute({ children: { girls_0_2: 2, boys_0_2: 1 }, beds: '4x', abuse_allegation: 'no', abuse: { abuse_description: 'x' } });
  assert.equal(out.children_under_3, 3);
  assert.equal(out.beds, '4x');
  assert.equal(out.abuse, undefined);
  assert.deepEqual(m.validate({ beds: '4x' }).filter((e) => e.path === 'beds').map((e) => e.code), ['wrong_type']);
});

test('choicesFor applies the choice filter at the row of the path', () => {
  const c = VECTORS.cases.find((x) => x.schema);
  const m = createModel(c.schema, { today: '2026-11-24' });
  assert.deepEqual(m.choicesFor('district', { province: '12' }).map((x) => x.name), ['1201']);
  assert.deepEqual(m.choicesFor('district', {}).map((x) => x.name), []);
  assert.equal(m.choicesFor('members.0.age', {}).length, 0);
});

test('interpolate shows values in labels, seen from a row', () => {
  const m = inspection();
  const text = builtin('institution_inspection').fields.find((f) => f.name === 'children').fields.find((f) => f.name === 'children_total_note').label.en;
  assert.equal(m.interpolate(text, 'children.children_total_note', { children: { girls_0_2: 1, boys_0_2: 2, girls_3_5: 0, boys_3_5: 0, girls_6_11: 0, boys_6_11: 0, girls_12_17: 0, boys_12_17: 0 } }),
    'Children under 18 counted: 3 (girls 1, boys 2).');
});

test('the constraint message of the form is the message, in both languages', () => {
  const [e] = inspection().validate({ inspection_date: '2030-01-01' }).filter((x) => x.path === 'inspection_date');
  assert.equal(e.message.en, 'The date cannot be in the future.');
  assert.equal(e.message.km, 'កាលបរិច្ឆេទមិនអាចនៅថ្ងៃអនាគតបានទេ។');
});

test('required(path) follows a required expression', () => {
  const m = createModel(builtin('case_closure'), { today: '2026-11-24' });
  assert.equal(m.visibleTree({ supervisor: { supervisor_decision: 'approved' } }).required('supervisor.supervisor_comment'), false);
  assert.equal(m.visibleTree({ supervisor: { supervisor_decision: 'not_approved' } }).required('supervisor.supervisor_comment'), true);
  assert.equal(m.visibleTree({}).required('closure_date'), true);
});
