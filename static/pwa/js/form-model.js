// The tablet's copy of the server's form logic (app/forms/validate.py, docs/forms.md): relevance,
// calculations, defaults and validation of a record's data against a native form schema, so a
// submission checked here offline is accepted by the server. Same codes, same paths
// (`children.girls_0_2`, `inspectors.0.inspector_name`), same messages in English and Khmer;
// both sides pass tests/vectors/validation.json. The action plan's refusals written in Python
// (app/forms/rules.py: under 3 in residential care, case plan under 3 years) are mirrored here;
// its flags are the server's business. Pure module: no DOM, no IndexedDB.
//
// createModel(schema, {today, now, lookupRecord}) -> model; `today` ('YYYY-MM-DD') and `now`
// (ISO 8601 with offset) may be strings or functions, default the device clock;
// lookupRecord(form_id, record_id) -> {form_id, data, location} | null, synchronous, optional
// (without it references are checked for their shape only, as on the server).

import { evaluate, evaluateBool } from './expr.js';
import { newUuid } from './uuid.js';

export { newUuid };

export const DEFAULT_ROW_KEY = '_row_id';
const CHOICE_REF_PREFIX = 'choice.';
const DEFAULT_TEXT_MAX_LENGTH = 2000;

// code -> [English, Khmer], placeholders {name}: the server's catalogue, word for word.
export const MESSAGES = {
  required: ['This field is required.', 'ត្រូវការបំពេញ។'],
  wrong_type: ['Expected {expected}.', 'ត្រូវតែជា{expected_km}។'],
  invalid_choice: ["'{value}' is not one of the choices.", '«{value}» មិនមែនជាជម្រើសដែលមានទេ។'],
  filtered_choice: [
    "'{value}' cannot be chosen with the answers given.",
    '«{value}» មិនអាចជ្រើសរើសបានតាមចម្លើយដែលបានផ្ដល់ទេ។',
  ],
  constraint_failed: ['The value is not accepted.', 'តម្លៃនេះមិនត្រូវបានទទួលយកទេ។'],
  unknown_field: [
    'This field is not part of form {form_id} version {version}.',
    'ចំណុចនេះមិនមែនជាផ្នែកនៃទម្រង់ {form_id} កំណែ {version} ទេ។',
  ],
  too_many_rows: ['At most {n} rows are allowed.', 'អនុញ្ញាតយ៉ាងច្រើន {n} ជួរ។'],
  too_few_rows: ['At least {n} rows are needed.', 'ត្រូវការយ៉ាងតិច {n} ជួរ។'],
  too_long: ['At most {n} characters are allowed.', 'អនុញ្ញាតយ៉ាងច្រើន {n} តួអក្សរ។'],
  below_min: ['The value must be at least {n}.', 'តម្លៃត្រូវតែយ៉ាងតិច {n}។'],
  above_max: ['The value must be at most {n}.', 'តម្លៃត្រូវតែយ៉ាងច្រើន {n}។'],
  invalid_reference: [
    'No {form_id} record with this ID was found.',
    'រកមិនឃើញកំណត់ត្រា {form_id} ដែលមានលេខសម្គាល់នេះទេ។',
  ],
  wrong_reference_form: [
    'The record referred to is not a {form_id} record.',
    'កំណត់ត្រាដែលយោងមិនមែនជាកំណត់ត្រា {form_id} ទេ។',
  ],
  duplicate_row_key: ['Another row carries the same {key}.', 'មានជួរផ្សេងទៀតដែលមាន {key} ដូចគ្នា។'],
  invalid_location: [
    'A location code has 2, 4 or 6 digits (province, district, commune).',
    'លេខកូដទីតាំងមាន ២ ៤ ឬ ៦ ខ្ទង់ (ខេត្ត ស្រុក ឃុំ)។',
  ],
};

const SHA_TEXT = ['the SHA-256 (64 hex digits) of an attachment', 'SHA-256 (៦៤ ខ្ទង់) នៃឯកសារភ្ជាប់'];
const EXPECTED = {
  form: ['an object of fields', 'វត្ថុ (object) នៃចំណុចទិន្នន័យ'],
  text: ['a text', 'អត្ថបទ'],
  integer: ['a whole number', 'ចំនួនគត់'],
  decimal: ['a number', 'លេខ'],
  date: ['a date written YYYY-MM-DD', 'កាលបរិច្ឆេទសរសេរជា YYYY-MM-DD'],
  datetime: ['a date and time with a UTC offset (ISO 8601)', 'កាលបរិច្ឆេទ និងម៉ោង ដែលមានតំបន់ម៉ោង (ISO 8601)'],
  select_one: ['the name of one choice', 'ឈ្មោះជម្រើសមួយ'],
  select_multiple: ['a list of choice names', 'បញ្ជីឈ្មោះជម្រើស'],
  yes_no: ['"yes" or "no"', '"yes" ឬ "no"'],
  geopoint: [
    'a point {"lat", "lon", "accuracy"} (degrees, metres)',
    'ចំណុចភូមិសាស្ត្រ {"lat", "lon", "accuracy"} (ដឺក្រេ ម៉ែត្រ)',
  ],
  photo: SHA_TEXT,
  signature: SHA_TEXT,
  reference: ['a record ID (UUID)', 'លេខសម្គាល់កំណត់ត្រា (UUID)'],
  group: ['an object of fields', 'វត្ថុ (object) នៃចំណុចទិន្នន័យ'],
  repeat: ['a list of rows', 'បញ្ជីជួរ'],
  row: ['a row (an object of fields)', 'ជួរមួយ (object)'],
  row_key: ['a row ID (UUID)', 'លេខសម្គាល់ជួរ (UUID)'],
};

// English for n === 1 where the general text says "{n} rows" (Khmer has no plural)
const SINGULAR = {
  too_many_rows: 'At most 1 row is allowed.',
  too_few_rows: 'At least 1 row is needed.',
  too_long: 'At most 1 character is allowed.',
};
// parameters written in Khmer digits in Khmer (as the server: numbers, versions, dates)
const NUMERIC_TEXT_PARAMS = new Set(['version', 'min_end']);
const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';
const khmerDigits = (s) => String(s).replace(/[0-9]/g, (d) => KHMER_DIGITS[d]);
const inKhmer = (k, v) => (typeof v === 'number' || NUMERIC_TEXT_PARAMS.has(k) ? khmerDigits(v) : v);

const fill = (text, params, lang = 'en') => text.replace(/\{(\w+)\}/g, (m, k) => {
  if (!(k in params)) return m;
  return String(lang === 'km' ? inKhmer(k, params[k]) : params[k]);
});

export function issue(path, code, params = {}, messageCode = code) {
  const [general, km] = MESSAGES[messageCode];
  const en = params.n === 1 && SINGULAR[messageCode] ? SINGULAR[messageCode] : general;
  return { path, code, message: { en: fill(en, params), km: fill(km, params, 'km') } };
}

const wrongType = (path, kind) => issue(path, 'wrong_type', { expected: EXPECTED[kind][0], expected_km: EXPECTED[kind][1] });

// --- small pure helpers ------------------------------------------------------------------------

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const get = (o, k) => (isObject(o) && hasOwn(o, k) ? o[k] : undefined);
export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const setOwn = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?$/;
const LOCATION_CODE = /^\d{2}(\d{2}){0,2}$/;

export const isUuid = (v) => typeof v === 'string' && UUID.test(v);

function isDate(v) {
  const m = typeof v === 'string' && DATE.exec(v);
  if (!m) return false;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1];
}

// As Python's datetime.fromisoformat (extended or basic time, any fraction), with a zone.
function isDatetime(v) {
  if (typeof v !== 'string' || v[10] !== 'T' || !isDate(v.slice(0, 10))) return false;
  const m = TIME.exec(v.slice(11));
  if (!m || !m[4]) return false;
  const zone = m[4] === 'Z' ? ['00'] : m[4].slice(1).replace(/[.,].*$/, '').replaceAll(':', '').match(/\d\d/g);
  return +m[1] <= 23 && +(m[2] || 0) <= 59 && +(m[3] || 0) <= 59 && +zone[0] <= 23 && !(+zone[1] > 59) && !(+zone[2] > 59);
}

function asNumber(v, integer) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  return integer && !Number.isInteger(v) ? null : v;
}

function isGeopoint(v) {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  if (!['lat', 'lon', 'accuracy'].every((k) => hasOwn(v, k))) return false;
  if (!keys.every((k) => ['lat', 'lon', 'accuracy', 'altitude'].includes(k))) return false;
  if (keys.some((k) => asNumber(v[k], false) === null)) return false;
  return v.lat >= -90 && v.lat <= 90 && v.lon >= -180 && v.lon <= 180 && v.accuracy >= 0;
}

// JSON equality (numbers by value, as Python's == on the settled data).
function same(a, b) {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

// Python's str() of a computed value stored in a text field.
const pyStr = (v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : String(v));

// A computed value in the field's type; null when empty or not a finite number.
function fit(f, v) {
  if (v === null || v === undefined || v === '' || (typeof v === 'number' && !Number.isFinite(v))) return null;
  return f.type === 'text' && typeof v !== 'string' ? pyStr(v) : v;
}

// A geopoint reads as ODK's "lat lon altitude accuracy"; other values pass unchanged.
const forExpression = (v) => (isObject(v) && 'lat' in v ? ['lat', 'lon', 'altitude', 'accuracy'].map((k) => String(v[k] ?? 0)).join(' ') : v);

const pad = (n, w = 2) => String(n).padStart(w, '0');
export function localToday(d = new Date()) {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
export function localNow(d = new Date()) {
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${localToday(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

// Every field, depth first: {path (names, no row indexes), field, repeats (enclosing paths)}.
export function* walk(fields, prefix = '', repeats = []) {
  for (const f of fields) {
    const path = prefix + f.name;
    yield { path, field: f, repeats };
    if (f.fields) yield* walk(f.fields, `${path}.`, f.type === 'repeat' ? [...repeats, path] : repeats);
  }
}

export const rowKeyOf = (f) => f.row_key || DEFAULT_ROW_KEY;

// --- the action plan's refusals (app/forms/rules.py) ---------------------------------------------

function addYears(text, years) {
  const [y, m, d] = text.split('-').map(Number);
  const target = y + years;
  const leap = (target % 4 === 0 && target % 100 !== 0) || target % 400 === 0;
  return m === 2 && d === 29 && !leap ? `${pad(target, 4)}-03-01` : `${pad(target, 4)}${text.slice(4)}`;
}

const dateOf = (v) => (isDate(v) ? v : null);

const DOMAIN_REFUSALS = {
  placement_recommendation(data) {
    const [dob, on] = [dateOf(data.date_of_birth), dateOf(data.recommendation_date)];
    if (data.recommended_placement !== 'residential_care' || !dob || !on || addYears(dob, 3) <= on) return [];
    return [{
      path: 'recommended_placement',
      code: 'under_3_residential_care',
      message: {
        en: 'Residential care is not allowed for a child under 3 years old on the recommendation date. ' +
          'Family-based care must be considered: kinship care, foster care or family support.',
        km: 'មិនអនុញ្ញាតឱ្យដាក់កុមារអាយុក្រោម ៣ ឆ្នាំ (គិតត្រឹមថ្ងៃផ្ដល់អនុសាសន៍) ក្នុងការថែទាំតាមមណ្ឌលទេ។ ' +
          'ត្រូវពិចារណាការថែទាំផ្អែកលើគ្រួសារ៖ ការថែទាំដោយសាច់ញាតិ ការថែទាំដោយគ្រួសារចិញ្ចឹមបណ្ដោះអាសន្ន ឬការគាំទ្រគ្រួសារ។',
      },
    }];
  },
  case_plan(data) {
    const [start, end] = [dateOf(data.start_date), dateOf(data.end_date)];
    if (!start || !end) return [];
    const minEnd = addYears(start, 3);
    if (end >= minEnd) return [];
    return [{
      path: 'end_date',
      code: 'case_plan_under_3_years',
      message: {
        en: `A case plan must cover at least 3 years: the end date must be on or after ${minEnd}.`,
        km: `ផែនការករណីត្រូវគ្របដណ្ដប់រយៈពេលយ៉ាងតិច ៣ ឆ្នាំ៖ កាលបរិច្ឆេទបញ្ចប់ត្រូវតែនៅថ្ងៃ ${khmerDigits(minEnd)} ឬក្រោយនោះ។`,
      },
    }];
  },
};

// --- the action plan's flags (app/forms/rules.py's flagging checks) -------------------------------
// A flag does not refuse the record: a supervisor sees it. The device shows it as it is typed.
// Only flags that need another record are here (the others are notes in their forms).

const KHMER = '០១២៣៤៥៦៧៨៩';
const kmDigits = (n) => String(n).replace(/[0-9]/g, (d) => KHMER[d]);
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const DOMAIN_FLAGS = {
  institution_inspection(data, recordData) {
    const beds = num(data.beds);
    if (beds === null || typeof data.institution !== 'string' || !recordData) return [];
    const institution = recordData('institution', data.institution);
    const baseline = num(institution && institution.baseline_beds);
    if (baseline === null || beds <= baseline) return [];
    const [b, base] = [Math.trunc(beds), Math.trunc(baseline)];
    return [{
      path: 'beds',
      code: 'beds_above_baseline',
      message: {
        en: `${b} beds reported, above the institution's baseline of ${base}: no new beds may be added.`,
        km: `បានរាយការណ៍គ្រែចំនួន ${kmDigits(b)} លើសពីចំនួនគោល ${kmDigits(base)} របស់មណ្ឌល៖ មិនអនុញ្ញាតឱ្យបន្ថែមគ្រែថ្មីទេ។`,
      },
    }];
  },
};

// --- the model -----------------------------------------------------------------------------------

export function createModel(schema, { today, now, lookupRecord } = {}) {
  const fields = schema.fields;
  const infos = [...walk(fields)];
  const byPath = new Map(infos.map((i) => [i.path, i]));
  const repeats = new Set(infos.filter((i) => i.field.type === 'repeat').map((i) => i.path));
  const byName = new Map();
  for (const i of infos) byName.set(i.field.name, [...(byName.get(i.field.name) || []), i.path]);
  const clock = (v, fallback) => (typeof v === 'function' ? v() : v) || fallback();
  const choicesOf = (f) => f.choices ?? schema.choice_lists?.[f.choice_list] ?? [];

  // One pass over some data: the state validate_submission keeps in its _Run.
  class Run {
    constructor(lenient) {
      this.lenient = lenient; // keep badly typed values (a draft being typed), for the UI
      this.readErrors = [];
      this.irrelevant = new Set();
      this.unreadable = new Set();
      this.today = clock(today, localToday);
      this.now = clock(now, localNow);
    }

    // 1. reading: unknown keys, JSON types, static choices, lengths, ranges
    readLevel(level, fs, prefix) {
      const known = new Set(fs.map((f) => f.name));
      for (const key of Object.keys(level)) {
        if (!known.has(key)) {
          this.readErrors.push(issue(prefix + key, 'unknown_field', { form_id: schema.form_id, version: schema.version }));
        }
      }
      const out = {};
      for (const f of fs) {
        const value = get(level, f.name);
        if (isEmpty(value) || f.type === 'note' || f.type === 'calculate') continue;
        const path = prefix + f.name;
        if (f.type === 'group') {
          if (isObject(value)) setOwn(out, f.name, this.readLevel(value, f.fields, `${path}.`));
          else this.readErrors.push(wrongType(path, 'group'));
        } else if (f.type === 'repeat') {
          const rows = this.readRows(f, value, path);
          if (rows) setOwn(out, f.name, rows);
        } else {
          const [problem, clean] = this.readValue(f, value, path);
          if (problem) this.readErrors.push(problem);
          if (!problem || this.lenient) setOwn(out, f.name, problem ? value : clean);
        }
      }
      return out;
    }

    readRows(f, value, path) {
      if (!Array.isArray(value)) {
        this.readErrors.push(wrongType(path, 'repeat'));
        return null;
      }
      const key = rowKeyOf(f);
      const seen = new Set();
      return value.map((row, i) => {
        const rowPath = `${path}.${i}`;
        if (!isObject(row)) {
          this.readErrors.push(wrongType(rowPath, 'row'));
          return {};
        }
        const rowId = get(row, key);
        const body = Object.fromEntries(Object.entries(row).filter(([k]) => k !== key));
        const clean = this.readLevel(body, f.fields, `${rowPath}.`);
        let problem = null;
        if (rowId === undefined || rowId === null) problem = issue(`${rowPath}.${key}`, 'required');
        else if (!isUuid(rowId)) problem = wrongType(`${rowPath}.${key}`, 'row_key');
        else if (seen.has(rowId)) problem = issue(`${rowPath}.${key}`, 'duplicate_row_key', { key });
        if (problem) this.readErrors.push(problem);
        else seen.add(rowId);
        return !problem || (this.lenient && rowId != null) ? { [key]: rowId, ...clean } : clean;
      });
    }

    readValue(f, value, path) {
      const t = f.type;
      const ok = (test) => (test ? [null, value] : [wrongType(path, t), null]);
      if (t === 'text') {
        if (typeof value !== 'string') return [wrongType(path, t), null];
        const max = f.max_length || DEFAULT_TEXT_MAX_LENGTH;
        return Array.from(value).length > max ? [issue(path, 'too_long', { n: max }), null] : [null, value];
      }
      if (t === 'integer' || t === 'decimal') {
        const n = asNumber(value, t === 'integer');
        if (n === null) return [wrongType(path, t), null];
        if (f.min != null && n < f.min) return [issue(path, 'out_of_range', { n: f.min }, 'below_min'), null];
        if (f.max != null && n > f.max) return [issue(path, 'out_of_range', { n: f.max }, 'above_max'), null];
        return [null, n];
      }
      if (t === 'date') return ok(isDate(value));
      if (t === 'datetime') return ok(isDatetime(value));
      if (t === 'yes_no') return ok(value === 'yes' || value === 'no');
      if (t === 'geopoint') return ok(isGeopoint(value));
      if (t === 'photo' || t === 'signature') return ok(typeof value === 'string' && SHA256.test(value));
      if (t === 'reference') return ok(isUuid(value));
      const names = new Set(choicesOf(f).map((c) => c.name));
      if (t === 'select_one') {
        if (typeof value !== 'string') return [wrongType(path, t), null];
        return names.has(value) ? [null, value] : [issue(path, 'invalid_choice', { value }), null];
      }
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return [wrongType(path, 'select_multiple'), null];
      const bad = value.find((v) => !names.has(v)) ?? value.find((v, i) => value.indexOf(v) !== i);
      return bad === undefined ? [null, value] : [issue(path, 'invalid_choice', { value: bad }), null];
    }

    // 2. relevance and calculations, until nothing changes
    settle(typed) {
      let tree = typed;
      for (let i = 0; i < byName.size + 2; i++) {
        this.irrelevant = new Set();
        const next = this.settleLevel(fields, typed, '', '', {}, tree);
        if (same(next, tree)) break;
        tree = next;
      }
      return tree;
    }

    settleLevel(fs, level, prefix, dataPrefix, position, tree) {
      const out = {};
      for (const f of fs) {
        const [path, dataPath] = [prefix + f.name, dataPrefix + f.name];
        if (f.relevant && !this.holds(f.relevant, tree, position, true)) {
          this.irrelevant.add(dataPath);
          continue;
        }
        if (f.type === 'group') {
          const inner = this.settleLevel(f.fields, get(level, f.name) || {}, `${path}.`, `${dataPath}.`, position, tree);
          if (Object.keys(inner).length) setOwn(out, f.name, inner);
        } else if (f.type === 'repeat') {
          if (!hasOwn(level, f.name)) continue;
          const key = rowKeyOf(f);
          setOwn(out, f.name, level[f.name].map((row, i) => {
            const inner = this.settleLevel(f.fields, row, `${path}.`, `${dataPath}.${i}.`, { ...position, [path]: i }, tree);
            return hasOwn(row, key) ? { [key]: row[key], ...inner } : inner;
          }));
        } else if (f.calculation != null) {
          const value = fit(f, this.compute(f.calculation, tree, position));
          if (value !== null) setOwn(out, f.name, value);
        } else if (hasOwn(level, f.name)) {
          setOwn(out, f.name, level[f.name]);
        }
      }
      return out;
    }

    dropped(dataPath) {
      for (const p of this.irrelevant) if (dataPath === p || dataPath.startsWith(`${p}.`)) return true;
      return false;
    }

    // 3. checks on what remains
    checkLevel(fs, level, prefix, position, tree, dataPrefix = '') {
      const found = [];
      for (const f of fs) {
        const [path, dataPath] = [prefix + f.name, dataPrefix + f.name];
        if (this.dropped(dataPath) || f.type === 'note' || f.type === 'calculate') continue;
        const value = get(level, f.name);
        if (f.type === 'group') {
          found.push(...this.checkLevel(f.fields, value || {}, `${path}.`, position, tree, `${dataPath}.`));
        } else if (f.type === 'repeat') {
          const rows = value || [];
          if (f.min_count != null && rows.length < f.min_count) found.push(issue(dataPath, 'too_few_rows', { n: f.min_count }));
          if (f.max_count != null && rows.length > f.max_count) found.push(issue(dataPath, 'too_many_rows', { n: f.max_count }));
          rows.forEach((row, i) => {
            found.push(...this.checkLevel(f.fields, row, `${path}.`, { ...position, [path]: i }, tree, `${dataPath}.${i}.`));
          });
        } else {
          found.push(...this.checkValue(f, value, dataPath, position, tree));
        }
      }
      return found;
    }

    checkValue(f, value, dataPath, position, tree) {
      if (isEmpty(value)) {
        if (this.unreadable.has(dataPath)) return []; // already reported as wrong_type, too_long...
        let required = f.required ?? false;
        if (typeof required === 'string') required = this.holds(required, tree, position, false);
        return required && f.calculation == null ? [issue(dataPath, 'required')] : [];
      }
      const found = [];
      if (f.constraint && !this.holds(f.constraint, tree, position, true, value)) {
        const msg = f.constraint_message;
        found.push(msg ? { path: dataPath, code: 'constraint_failed', message: { en: msg.en, km: msg.km } } : issue(dataPath, 'constraint_failed'));
      }
      if (f.choice_filter) {
        const byChoice = new Map(choicesOf(f).map((c) => [c.name, c]));
        for (const name of Array.isArray(value) ? value : [value]) {
          const c = byChoice.get(name);
          if (c && !this.holds(f.choice_filter, tree, position, true, choiceRow(c))) {
            found.push(issue(dataPath, 'invalid_choice', { value: name }, 'filtered_choice'));
            break;
          }
        }
      }
      if (f.type === 'reference' && f.reference && lookupRecord) {
        const record = lookupRecord(f.reference.form_id, value);
        if (!record) found.push(issue(dataPath, 'invalid_reference', { form_id: f.reference.form_id }));
        else if (record.form_id !== f.reference.form_id) {
          found.push(issue(dataPath, 'invalid_reference', { form_id: f.reference.form_id }, 'wrong_reference_form'));
        }
      }
      return found;
    }

    // expressions
    context(tree, position, current = null) {
      const lookup = (name) => {
        if (isObject(current) && name.startsWith(CHOICE_REF_PREFIX)) return get(current, name.slice(CHOICE_REF_PREFIX.length)) ?? null;
        const paths = byName.get(name);
        if (!paths || paths.length > 1) return undefined;
        return forExpression(valueAt(tree, paths[0], position));
      };
      return { lookup, current, today: this.today, now: this.now };
    }

    holds(source, tree, position, dflt, current = null) {
      try {
        return evaluateBool(source, this.context(tree, position, current));
      } catch {
        return dflt;
      }
    }

    compute(source, tree, position) {
      try {
        return evaluate(source, this.context(tree, position));
      } catch {
        return null;
      }
    }

    // 4. location and rules
    locationIssues(data) {
      const path = schema.location_field;
      const info = path && byPath.get(path);
      if (!info || info.field.type === 'reference' || this.dropped(path)) return [];
      const value = valueAt(data, path, {});
      if (isEmpty(value)) return [];
      return typeof value === 'string' && LOCATION_CODE.test(value) ? [] : [issue(path, 'invalid_location')];
    }

    ruleErrors(data) {
      const errors = [];
      for (const rule of schema.rules || []) {
        if (rule.kind === 'refuse' && this.holds(rule.when, data, {}, false)) {
          errors.push({ path: rule.path, code: rule.code || 'rule_refused', message: { en: rule.message.en, km: rule.message.km } });
        }
      }
      return errors.concat(DOMAIN_REFUSALS[schema.form_id]?.(data) ?? []);
    }
  }

  const choiceRow = (c) => ({ ...(c.filter || {}), name: c.name });

  // A field's value seen from a position: the same row inside its repeat, else all rows' values.
  function valueAt(tree, path, where) {
    const segs = path.split('.');
    const descend = (node, i, prefix) => {
      const here = prefix + segs[i];
      const child = get(node, segs[i]);
      if (i === segs.length - 1) return [child ?? null, false];
      if (!repeats.has(here)) return descend(child, i + 1, `${here}.`);
      const rows = Array.isArray(child) ? child : [];
      if (hasOwn(where, here)) return descend(rows[where[here]] ?? null, i + 1, `${here}.`);
      const values = [];
      for (const row of rows) {
        const [v, many] = descend(row, i + 1, `${here}.`);
        if (many) values.push(...v);
        else values.push(v);
      }
      return [values, true];
    };
    return descend(tree, 0, '')[0];
  }

  // A data path (`inspectors.1.inspector_name`) -> {info, path (names only), position}.
  function locate(dataPath) {
    const names = [];
    const position = {};
    for (const seg of String(dataPath).split('.')) {
      if (/^\d+$/.test(seg) && repeats.has(names.join('.'))) position[names.join('.')] = Number(seg);
      else names.push(seg);
    }
    const path = names.join('.');
    return { info: byPath.get(path) || null, path, position };
  }

  const settled = (data, lenient = true) => {
    const run = new Run(lenient);
    const typed = isObject(data) ? run.readLevel(data, fields, '') : {};
    return { run, data: run.settle(typed) };
  };

  function defaultsFor(fs, tree = {}, run = new Run(true)) {
    const out = {};
    for (const f of fs) {
      if (f.type === 'group') {
        const inner = defaultsFor(f.fields, tree, run);
        if (Object.keys(inner).length) setOwn(out, f.name, inner);
      } else if (f.type === 'repeat') {
        if (f.min_count) setOwn(out, f.name, Array.from({ length: f.min_count }, () => rowFor(f)));
      } else if (f.default != null && f.type !== 'note' && f.type !== 'calculate') {
        const v = isObject(f.default) ? fit(f, run.compute(f.default.expression, tree, {})) : structuredClone(f.default);
        if (!isEmpty(v)) setOwn(out, f.name, v);
      }
    }
    return out;
  }

  function choicesWith(run, tree, path) {
    const { info, position } = locate(path);
    if (!info) return [];
    const all = choicesOf(info.field);
    if (!info.field.choice_filter) return all;
    return all.filter((c) => run.holds(info.field.choice_filter, tree, position, true, choiceRow(c)));
  }

  function interpolateWith(run, tree, text, path) {
    if (!text || !text.includes('${')) return text;
    const { position } = locate(path);
    return text.replace(/\$\{([^}]*)\}/g, (_, name) => {
      try {
        return evaluate(`concat(\${${name}})`, run.context(tree, position));
      } catch {
        return '';
      }
    });
  }

  const rowFor = (f) => ({ [rowKeyOf(f)]: newUuid(), ...defaultsFor(f.fields) });

  return {
    schema,
    fieldAt: (path) => locate(path).info?.field ?? null,
    locate,
    choices: choicesOf,

    relevant(path, data) {
      const { run } = settled(data);
      return !run.dropped(path);
    },

    // {data (settled), hidden (data paths of non-relevant fields, groups, repeats), visible(path),
    //  required(path), choicesFor(path), interpolate(text, path)}: one settle for a whole screen.
    visibleTree(data) {
      const { run, data: tree } = settled(data);
      return {
        data: tree,
        hidden: run.irrelevant,
        visible: (path) => !run.dropped(path),
        choicesFor: (path) => choicesWith(run, tree, path),
        required: (path) => {
          const { info, position } = locate(path);
          const r = info?.field.required;
          return (typeof r === 'string' ? run.holds(r, tree, position, false) : r === true) && info.field.calculation == null;
        },
        interpolate: (text, path) => interpolateWith(run, tree, text, path),
      };
    },

    // Calculations recomputed, non-relevant values dropped, as the server stores the data.
    // Values of the wrong type are kept (a draft being typed); validate() reports them.
    recompute(data) {
      return settled(data).data;
    },

    // [{path, code, message: {en, km}}], as validate_submission's errors.
    validate(data) {
      return this.check(data).errors;
    },

    // {errors, data}: validate_submission's errors and the cleaned data the server would store.
    check(data) {
      const run = new Run(false);
      if (!isObject(data)) return { errors: [wrongType('', 'form')], data: {} };
      const tree = run.settle(run.readLevel(data, fields, ''));
      let errors = run.readErrors.filter((e) => e.code === 'unknown_field' || !run.dropped(e.path));
      run.unreadable = new Set(errors.map((e) => e.path));
      errors = errors.concat(run.checkLevel(fields, tree, '', {}, tree), run.locationIssues(tree));
      const ruled = run.ruleErrors(tree);
      const ruledPaths = new Set(ruled.map((e) => e.path));
      errors = errors.filter((e) => !(e.code === 'constraint_failed' && ruledPaths.has(e.path))).concat(ruled);
      return { errors, data: tree };
    },

    // [{path, code, message: {en, km}}]: what the server will flag on this data (for a
    // supervisor, not a refusal). recordData(form_id, record_id) -> that record's data or null,
    // synchronous (the records the device holds).
    flags(data, recordData) {
      const rule = DOMAIN_FLAGS[schema.form_id];
      if (!rule || !isObject(data)) return [];
      return rule(settled(data).data, recordData);
    },

    // The choices offered at a data path, after the field's choice_filter.
    choicesFor(path, data) {
      const { run, data: tree } = settled(data);
      return choicesWith(run, tree, path);
    },

    // A label or note with `${name}` replaced by the value seen from `path`.
    interpolate(text, path, data) {
      if (!text || !text.includes('${')) return text;
      const { run, data: tree } = settled(data);
      return interpolateWith(run, tree, text, path);
    },

    newRow(repeatPath) {
      const f = locate(repeatPath).info?.field;
      if (!f || f.type !== 'repeat') throw new Error(`${repeatPath} is not a repeat`);
      return rowFor(f);
    },

    defaults() {
      return defaultsFor(fields);
    },

    // The data path of the record's location, when it is a field of its own (not a reference).
    locationField: schema.location_field && byPath.get(schema.location_field)?.field.type !== 'reference' ? schema.location_field : null,
  };
}
