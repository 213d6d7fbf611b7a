// What the form renderer's widgets share: the element builder, ids, the renderer's own strings
// in both languages, Khmer digits, typed numbers, and reading and writing a value at a form
// path (`inspectors.0.inspector_name`) in the answers.

import { isEmpty, isObject } from '../../form-model.js';

export const MAX_BUTTONS = 12; // more choices than this: a list instead of radio buttons / checkboxes

export const UI = {
  en: {
    yes: 'Yes', no: 'No', choose: '— Choose —', add: 'Add {label}', remove: 'Remove', removeRow: 'Remove {label} {n}',
    search: 'Search', searchLabel: 'Search the list: {label}', loading: 'Loading…', noRecords: 'No records on this device.',
    unknownRecord: 'A record not on this device ({id})', problems: 'Please fix {n} problems:', problem: 'Please fix 1 problem:', more: '… and {n} more below.',
    recordLocation: 'Record location', recordAgain: 'Record again', stop: 'Stop', searching: 'Searching for the location…',
    located: 'Latitude {lat}, longitude {lon}, accuracy {acc} m', noGeo: 'Location is not available on this device: enter it by hand.',
    geoDenied: 'Location permission was refused: allow it, or enter the location by hand.',
    geoFailed: 'The location could not be found. Try again outdoors, or enter it by hand.',
    manual: 'Enter the location by hand', latitude: 'Latitude', longitude: 'Longitude', accuracy: 'Accuracy (metres)',
    photoWorking: 'Preparing the photo…', photoSaved: 'Photo saved ({w} × {h}).', photoFailed: 'This image could not be read.',
    photoTooLarge: 'The photo is too large, even reduced.', removePhoto: 'Remove photo', choosePhoto: 'Take or choose a photo', changePhoto: 'Take another photo', photoAlt: 'Photo: {label}',
    noPreview: 'Photo saved (no preview on this device).',
    photoOnServer: 'Photo kept on the server: it shows here when this device is online.',
    signatureOnServer: 'Signature kept on the server: it shows here when this device is online.',
    clear: 'Clear signature', signHere: 'Sign with a finger inside the box.', signed: 'Signature saved.',
    fileSaved: 'File saved.', fileFailed: 'This file could not be saved.', fileTooLarge: 'The file is too large.', removeFile: 'Remove file',
  },
  km: {
    yes: 'បាទ/ចាស', no: 'ទេ', choose: '— ជ្រើសរើស —', add: 'បន្ថែម {label}', remove: 'លុប', removeRow: 'លុប {label} {n}',
    search: 'ស្វែងរក', searchLabel: 'ស្វែងរកក្នុងបញ្ជី៖ {label}', loading: 'កំពុងផ្ទុក…', noRecords: 'គ្មានកំណត់ត្រានៅលើឧបករណ៍នេះទេ។',
    unknownRecord: 'កំណត់ត្រាដែលមិនមាននៅលើឧបករណ៍នេះ ({id})', problems: 'សូមកែ {n} ចំណុច៖', problem: 'សូមកែ ១ ចំណុច៖', more: '… និង {n} ចំណុចទៀតខាងក្រោម។',
    recordLocation: 'កត់ត្រាទីតាំង', recordAgain: 'កត់ត្រាម្ដងទៀត', stop: 'ឈប់', searching: 'កំពុងស្វែងរកទីតាំង…',
    located: 'រយៈទទឹង {lat} រយៈបណ្ដោយ {lon} ភាពត្រឹមត្រូវ {acc} ម៉ែត្រ', noGeo: 'ឧបករណ៍នេះមិនអាចរកទីតាំងបានទេ៖ សូមបញ្ចូលដោយដៃ។',
    geoDenied: 'ការអនុញ្ញាតទីតាំងត្រូវបានបដិសេធ៖ សូមអនុញ្ញាត ឬបញ្ចូលទីតាំងដោយដៃ។',
    geoFailed: 'រកទីតាំងមិនឃើញទេ។ សូមព្យាយាមម្ដងទៀតនៅខាងក្រៅ ឬបញ្ចូលដោយដៃ។',
    manual: 'បញ្ចូលទីតាំងដោយដៃ', latitude: 'រយៈទទឹង', longitude: 'រយៈបណ្ដោយ', accuracy: 'ភាពត្រឹមត្រូវ (ម៉ែត្រ)',
    photoWorking: 'កំពុងរៀបចំរូបថត…', photoSaved: 'បានរក្សាទុករូបថត ({w} × {h})។', photoFailed: 'មិនអាចអានរូបភាពនេះបានទេ។',
    photoTooLarge: 'រូបថតធំពេក ទោះបីបានបង្រួមហើយក៏ដោយ។', removePhoto: 'លុបរូបថត', choosePhoto: 'ថត ឬជ្រើសរើសរូបថត', changePhoto: 'ថតរូបថតផ្សេង', photoAlt: 'រូបថត៖ {label}',
    noPreview: 'បានរក្សាទុករូបថត (មិនអាចបង្ហាញនៅលើឧបករណ៍នេះ)។',
    photoOnServer: 'រូបថតត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ៖ វានឹងបង្ហាញនៅទីនេះ នៅពេលឧបករណ៍នេះមានអ៊ីនធឺណិត។',
    signatureOnServer: 'ហត្ថលេខាត្រូវបានរក្សាទុកនៅលើម៉ាស៊ីនមេ៖ វានឹងបង្ហាញនៅទីនេះ នៅពេលឧបករណ៍នេះមានអ៊ីនធឺណិត។',
    clear: 'លុបហត្ថលេខា', signHere: 'ចុះហត្ថលេខាដោយម្រាមដៃក្នុងប្រអប់នេះ។', signed: 'បានរក្សាទុកហត្ថលេខា។',
    fileSaved: 'បានរក្សាទុកឯកសារ។', fileFailed: 'មិនអាចរក្សាទុកឯកសារនេះបានទេ។', fileTooLarge: 'ឯកសារធំពេក។', removeFile: 'លុបឯកសារ',
  },
};

const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';
export const toKhmerDigits = (s) => String(s).replace(/[0-9]/g, (d) => KHMER_DIGITS[d]);
export const fromKhmerDigits = (s) => String(s).replace(/[០-៩]/g, (d) => String(KHMER_DIGITS.indexOf(d)));

/** A renderer string in a language, its {placeholders} filled (a count in Khmer digits in Khmer). */
export const translate = (lang, key, params = {}) => UI[lang][key]
  .replace(/\{(\w+)\}/g, (_, k) => (lang === 'km' && k === 'n' ? toKhmerDigits(params[k]) : params[k]));

// A number typed by a person: Khmer digits, thousands separators; what does not parse is kept
// as typed (validate() then says what is expected).
export function parseNumber(text, integer) {
  const s = fromKhmerDigits(text).trim().replace(/[,\s]/g, '');
  if (s === '') return null;
  const ok = integer ? /^-?\d+$/.test(s) : /^-?(\d+\.?\d*|\.\d+)$/.test(s);
  return ok ? Number(s) : text;
}

// h('p', {class: 'x', onclick: f}, 'text', child): an element; strings become text nodes.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

let counter = 0;
/** A fresh element id, unique in the page (hw1, hw2, …). */
export const uid = () => `hw${(++counter).toString(36)}`;

// --- values at form paths ('inspectors.0.inspector_name': names, and row indexes) ---------------

const segments = (path) => (path === '' ? [] : path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
export const own = (o, k) => (o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

export function getAt(data, path) {
  let cur = data;
  for (const s of segments(path)) cur = own(cur, s);
  return cur;
}

/** Set the value at `path`, making the groups and rows on the way; an empty value is removed. */
export function setAt(data, path, value) {
  const ss = segments(path);
  let cur = data;
  ss.slice(0, -1).forEach((s, i) => {
    if (!isObject(own(cur, s)) && !Array.isArray(own(cur, s))) {
      Object.defineProperty(cur, s, { value: typeof ss[i + 1] === 'number' ? [] : {}, enumerable: true, writable: true, configurable: true });
    }
    cur = cur[s];
  });
  const last = ss[ss.length - 1];
  if (isEmpty(value)) delete cur[last];
  else Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
}

/** A value as a calculated field shows it. */
export function fmtValue(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return String(Math.round(v * 1e6) / 1e6);
  return Array.isArray(v) ? v.join(' ') : String(v);
}
