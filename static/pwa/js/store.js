// What the views read and write on the device: the signed-in user's forms, drafts, records and
// attachments. The views (js/ui/) ask the Store and never open or read IndexedDB themselves; the
// Store asks the database (js/db.js, the only module that opens it). The decisions stay in the
// pure modules (records.js, drafts.js, retention.js, outbox.js); this module does the I/O.
// No DOM.

import { storageEstimate } from './db.js';
import { datesIn } from './i18n.js';
import { newDraft } from './drafts.js';
import { ATTENTION, recordLabel, recordState, shownCopy, subjectOf } from './records.js';
import { whereIs } from './retention.js';
import { queueChange, recordKey } from './sync.js';

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

export class Store {
  constructor({ db, session, api, online = () => globalThis.navigator?.onLine !== false }) {
    this.db = db;
    this.session = session;
    this.api = api;
    this.online = online;
  }

  get username() { return this.session.username; }

  // --- forms ---------------------------------------------------------------------------------

  /** The forms the user may fill ({forms, etag, fetched_at}), or null before the first sync. */
  formList() {
    return this.db.getMeta(`forms:${this.username}`);
  }

  /** A form version's schema, else the newest stored version of that form, else null. */
  async schemaFor(formId, version) {
    const row = await this.db.get('forms', [formId, version]);
    if (row) return row.schema;
    const any = (await this.db.getAll('forms')).filter((f) => f.form_id === formId);
    return any.length ? any[any.length - 1].schema : null;
  }

  /** Exactly this version's schema: from the device, else from the server when online (and
   * then kept); null when neither has it. */
  async exactSchema(formId, version) {
    const stored = await this.db.get('forms', [formId, version]);
    if (stored) return stored.schema;
    if (!this.online()) return null;
    try {
      const schema = await this.api.formVersion(formId, version);
      await this.db.put('forms', { form_id: formId, version, title: schema.title, schema });
      return schema;
    } catch {
      return null;
    }
  }

  /** The communes the user may name as a record's location: [{code, name: {en, km}}] by code;
   * from the server's list (kept by each sync), else the user's own commune, else []. */
  async communes() {
    const kept = await this.db.getMeta(`locations:${this.username}`);
    const scope = this.session.current?.user?.scope || {};
    let list = kept && Array.isArray(kept.communes) ? kept.communes : [];
    if (!list.length && scope.commune) list = [{ code: scope.commune, name: {} }];
    return [...list].sort((a, b) => a.code.localeCompare(b.code));
  }

  // --- drafts --------------------------------------------------------------------------------

  /** The user's drafts, the latest edited first. */
  async drafts() {
    const drafts = await this.db.getAllFromIndex('drafts', 'by_user', this.username);
    return drafts.sort((a, b) => (b.updated_at || '').localeCompare(a.updated_at || ''));
  }

  /** One of the user's drafts, or null (another user's is not theirs to open). */
  async draft(draftId) {
    const draft = await this.db.get('drafts', draftId);
    return draft && draft.username === this.username ? draft : null;
  }

  /** A new draft of `form` (see drafts.js newDraft for the options), not yet saved: it is
   * saved when something is typed in it (saveDraft). */
  async createDraft(form, options = {}) {
    return newDraft({ ...options, form, username: this.username });
  }

  /** The draft goes: nothing of it stays (its photos stay on the device: js/retention.js). */
  deleteDraft(draftId) {
    return this.db.delete('drafts', draftId);
  }

  saveDraft(draft) {
    return this.db.put('drafts', draft);
  }

  /** The draft becomes a change in the outbox: queued and the draft removed, in one
   * transaction (a tablet that dies meanwhile keeps one or the other, never both or none). */
  submitDraft(draft, change) {
    return queueChange(this.db, change, Date.now(), { draftId: draft.draft_id });
  }

  /** Who or what a record is about, in both languages ({en, km}): its own name (the child's,
   * the institution's) and the name of the record it refers to (an inspection's institution),
   * e.g. "Inspection 2026-12-07 — Care Centre 17-001 (17-001)"; '' when nothing names it yet
   * (a draft before its first answers). */
  async nameOf(schema, record) {
    const subject = subjectOf(schema, record.data);
    let ref = null;
    let refSchema = null;
    if (subject) {
      ref = await this.pulledRecord(subject.record_id);
      if (!ref) {
        const own = (await this.db.getAllFromIndex('outbox', 'by_user', this.username)).filter((i) => i.record_id === subject.record_id);
        ref = own[own.length - 1] || null;
      }
      if (ref) refSchema = await this.schemaFor(ref.form_id, ref.form_version);
    }
    const name = {};
    for (const lang of ['en', 'km']) {
      const own = schema ? recordLabel(schema, record, { lang, fallback: false }) : '';
      const about = ref ? recordLabel(refSchema, ref, { lang, fallback: false }) : '';
      name[lang] = datesIn([own, about].filter((x) => x && x.replace(/[\s()–-]/g, '')).join(' — '), lang);
    }
    return name;
  }

  /** The user's drafts as the home list shows them: each with its form's title and its name
   * ({en, km}, see nameOf). */
  async draftsNamed() {
    const out = [];
    for (const d of await this.drafts()) {
      const schema = await this.schemaFor(d.form_id, d.form_version);
      out.push({ ...d, name: await this.nameOf(schema, { record_id: d.record_id, data: d.data }) });
    }
    return out;
  }

  // --- records -------------------------------------------------------------------------------

  /** The copy of a record pulled from the server (the user's scope), or null. */
  async pulledRecord(recordId) {
    return (await this.db.get('records', recordKey(this.username, recordId))) || null;
  }

  /** A record as the views show it: its state, the copy shown (pulled or the user's last
   * change), its form's schema, title and readable name, and the base an edit starts from. */
  async describe(recordId, items, draft, pulled) {
    const state = recordState({ draft, items, pulled });
    const last = state.item;
    const source = shownCopy(state, pulled);
    const schema = await this.schemaFor(source.form_id, source.form_version);
    return {
      record_id: recordId,
      form_id: source.form_id,
      form_version: source.form_version,
      schema,
      title: schema ? schema.title : (last && last.title) || source.form_id,
      label: schema ? recordLabel(schema, { record_id: recordId, data: source.data }) : recordId.slice(0, 8),
      // whose record it is, in both languages (the child's, the institution's name)
      name: await this.nameOf(schema, { record_id: recordId, data: source.data }),
      data: source.data,
      // the data at the revision an edit would be based on, when the device holds exactly that
      // (the pulled copy is shown and is the newest revision known): a draft can then merge a
      // later revision in (drafts.js rebaseDraft)
      base_data: source === pulled && pulled.rev === state.rev ? pulled.data : null,
      state,
      items,
      draft,
      pulled,
      // the record left the user's scope (moved to another place); this device's work on it
      // keeps it here but can no longer be sent
      left_scope: Boolean(pulled && pulled.left_scope),
      when: last ? (last.sent_at || last.queued_at) : Date.parse(pulled.updated_at),
    };
  }

  /** Every record this user sent from this device (or is sending), newest first. */
  async myRecords() {
    const items = await this.db.getAllFromIndex('outbox', 'by_user', this.username);
    const drafts = await this.db.getAllFromIndex('drafts', 'by_user', this.username);
    const byRecord = new Map();
    for (const i of items) {
      if (!byRecord.has(i.record_id)) byRecord.set(i.record_id, { items: [], draft: null });
      byRecord.get(i.record_id).items.push(i);
    }
    for (const d of drafts) if (byRecord.has(d.record_id)) byRecord.get(d.record_id).draft = d;
    const out = [];
    for (const [recordId, { items: its, draft }] of byRecord) {
      out.push(await this.describe(recordId, its, draft, await this.pulledRecord(recordId)));
    }
    out.sort((a, b) => (b.when || 0) - (a.when || 0));
    return out;
  }

  /** How many of the user's records need them (ATTENTION: refused by the server, returned by
   * a supervisor, in conflict): {count, first} (first: the record_id of one, or null). Cheap:
   * only the records whose last change is settled are looked up. */
  async attention() {
    const items = await this.db.getAllFromIndex('outbox', 'by_user', this.username);
    const byRecord = new Map();
    for (const i of items) {
      if (!byRecord.has(i.record_id)) byRecord.set(i.record_id, []);
      byRecord.get(i.record_id).push(i);
    }
    // a record whose correction is open as a draft shows as a draft (as in My records)
    for (const d of await this.db.getAllFromIndex('drafts', 'by_user', this.username)) byRecord.delete(d.record_id);
    let count = 0;
    let first = null;
    for (const [recordId, its] of byRecord) {
      const last = its.reduce((a, b) => ((b.queued_at || 0) >= (a.queued_at || 0) ? b : a));
      if (last.state === 'waiting') continue;
      const pulled = last.state === 'rejected' ? null : await this.pulledRecord(recordId);
      if (last.state !== 'rejected' && last.state !== 'conflict' && !pulled) continue;
      const { state } = recordState({ items: its, pulled });
      if (ATTENTION.has(state)) {
        count += 1;
        if (!first) first = recordId;
      }
    }
    return { count, first };
  }

  /** One record: the user's own, or one pulled from their scope (a follow-up); null if the
   * device knows neither. */
  async record(recordId) {
    const items = (await this.db.getAllFromIndex('outbox', 'by_user', this.username)).filter((i) => i.record_id === recordId);
    const draft = (await this.db.getAllFromIndex('drafts', 'by_user', this.username)).find((d) => d.record_id === recordId) || null;
    const pulled = await this.pulledRecord(recordId);
    if (!items.length && !pulled) return null;
    return this.describe(recordId, items, draft, pulled);
  }

  /** The records pulled from the user's scope, for "Find a record": [{record_id, label, title}]
   * by name. */
  async pulledRecords() {
    const pulled = await this.db.getAllFromIndex('records', 'by_user', this.username);
    const schemas = new Map();
    const rows = [];
    for (const r of pulled) {
      const k = `${r.form_id}@${r.form_version}`;
      if (!schemas.has(k)) schemas.set(k, await this.schemaFor(r.form_id, r.form_version));
      const schema = schemas.get(k);
      rows.push({ record_id: r.record_id, label: recordLabel(schema, r), title: schema ? schema.title : { en: r.form_id, km: r.form_id } });
    }
    return rows.sort((a, b) => a.label.localeCompare(b.label));
  }

  /** The form renderer's lookupRecords(form_id) -> [{record_id, label}]: pulled records of that
   * form in the user's scope, and the user's own not yet pulled (a new institution made offline). */
  lookupRecords() {
    return async (formId) => {
      const username = this.username;
      const pulled = await this.db.getAllFromIndex('records', 'by_user_form', [username, formId]);
      const own = (await this.db.getAllFromIndex('outbox', 'by_user', username))
        .filter((i) => i.form_id === formId && i.state !== 'rejected');
      const schema = await this.schemaFor(formId, (pulled[0] || own[0] || {}).form_version);
      const seen = new Set();
      const out = [];
      for (const r of [...pulled, ...own.reverse()]) {
        if (seen.has(r.record_id)) continue;
        seen.add(r.record_id);
        // in both languages: an institution's Latin name in English
        out.push({ record_id: r.record_id, label: { en: recordLabel(schema, r, { lang: 'en' }), km: recordLabel(schema, r, { lang: 'km' }) } });
      }
      return out.sort((a, b) => a.label.km.localeCompare(b.label.km));
    };
  }

  /** The form renderer's recordData(form_id, record_id) -> that record's data or null,
   * synchronous, for the records `schema` refers to (pulled in the user's scope, and the user's
   * own not yet pulled): what the device's flags compare with (an institution's baseline). */
  async referenceData(schema) {
    const formIds = new Set();
    const walk = (fields) => {
      for (const f of fields || []) {
        if (f.type === 'reference' && f.reference?.form_id) formIds.add(f.reference.form_id);
        walk(f.fields);
      }
    };
    walk(schema?.fields);
    const byForm = new Map();
    const own = formIds.size ? await this.db.getAllFromIndex('outbox', 'by_user', this.username) : [];
    for (const formId of formIds) {
      const map = new Map();
      for (const i of own) if (i.form_id === formId && i.state !== 'rejected') map.set(i.record_id, i.data);
      for (const r of await this.db.getAllFromIndex('records', 'by_user_form', [this.username, formId])) map.set(r.record_id, r.data);
      byForm.set(formId, map);
    }
    return (formId, recordId) => byForm.get(formId)?.get(recordId) ?? null;
  }

  // --- attachments ---------------------------------------------------------------------------

  /** Whether any of these photos and signatures is held by the server only (its blob left the
   * device after upload: js/retention.js). */
  async onServerOnly(shas) {
    for (const sha of shas) if (whereIs(await this.db.get('attachments', sha)) === 'server') return true;
    return false;
  }

  /** How many photos and signatures have left the device (held by the server). */
  async prunedAttachments() {
    const uploaded = await this.db.getAllFromIndex('attachments', 'by_state', 'uploaded');
    return uploaded.filter((a) => whereIs(a) === 'server').length;
  }

  /** The form renderer's attachment store: put(blob, {content_type}) -> sha256 (kept in
   * IndexedDB until uploaded after its record, and a while after: js/retention.js); url(sha) ->
   * an object URL of the local copy, or of the server's when the device dropped its copy
   * (fetched with the token, kept in memory only: IndexedDB does not fill up again);
   * where(sha) -> 'device', 'server' (dropped here, held by the server) or 'unknown', for the
   * widgets' placeholder. */
  attachments() {
    const urls = new Map();
    const { db } = this;
    return {
      put: async (blob, { content_type: contentType, sha256 } = {}) => {
        const sha = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        if (sha256 && sha256 !== sha) throw new Error('The photo changed while it was being saved.');
        const existing = await db.get('attachments', sha);
        // the same picture again (or one whose blob was dropped): its bytes come back, its state
        // and upload time stay, so it is neither uploaded twice nor forgotten by the retention
        const { pruned_at: _dropped, ...kept } = existing || {};
        await db.put('attachments', {
          ...kept,
          sha256: sha,
          blob,
          content_type: contentType || blob.type || 'application/octet-stream',
          size: blob.size,
          state: existing ? existing.state : 'local',
          username: this.username,
          created_at: existing ? existing.created_at : new Date().toISOString(),
        });
        return sha;
      },
      url: async (sha) => {
        if (urls.has(sha)) return urls.get(sha);
        const local = await db.get('attachments', sha);
        let blob = local ? local.blob : null;
        if (!blob && this.online()) {
          try { blob = await this.api.attachmentBlob(sha); } catch { blob = null; }
        }
        if (!blob) return null;
        const url = URL.createObjectURL(blob);
        urls.set(sha, url);
        return url;
      },
      where: async (sha) => whereIs(await db.get('attachments', sha)),
    };
  }

  // --- the device ----------------------------------------------------------------------------

  /** The browser's estimate of the storage used and allowed ({usage, quota}), or null. */
  storageEstimate() {
    return storageEstimate();
  }
}
