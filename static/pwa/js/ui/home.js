// The home view: records that need attention, the user's drafts, and the forms they may fill
// (each a button named by its title in the current language, marked "Needs Khmer" when
// some of its texts have no Khmer).

import { attentionText, formatDateTime, pick } from '../i18n.js';
import { ATTENTION } from '../records.js';
import { h, replace } from './dom.js';

export async function renderHome(app, main) {
  const view = {
    onSynced: () => draw(),
    setLang: () => draw(),
  };
  async function draw() {
    const t = (k, p) => app.t(k, p);
    const list = await app.store.formList();
    const forms = list ? list.forms : [];
    const drafts = await app.store.draftsNamed();
    const titles = new Map(forms.map((f) => [f.form_id, f.title]));
    const attention = (await app.store.myRecords()).filter((r) => ATTENTION.has(r.state.state));

    const sections = [];
    if (attention.length) {
      sections.push(h('section', { class: 'attention', 'aria-labelledby': 'attention-h' },
        h('h2', { id: 'attention-h' }, t('attention_heading')),
        h('p', { class: 'attention-count' }, attentionText(app.lang, attention.length)),
        h('ul', { class: 'cards' }, attention.map((r) => h('li', {},
          h('a', { class: `card-link state-${r.state.state}`, href: `#/record/${encodeURIComponent(r.record_id)}` },
            h('strong', {}, `${pick(r.title, app.lang)}: ${pick(r.name, app.lang) || r.label}`), ' ', h('span', { class: 'badge' }, t(`state_${r.state.state}`))))))));
    }
    if (drafts.length) {
      sections.push(h('section', { 'aria-labelledby': 'drafts-h' },
        h('h2', { id: 'drafts-h' }, t('drafts')),
        h('ul', { class: 'cards' }, drafts.map((d) => {
          const title = pick(titles.get(d.form_id) || d.title, app.lang);
          const name = pick(d.name, app.lang);
          return h('li', { class: 'draft' },
            h('a', { class: 'card-link', href: `#/draft/${encodeURIComponent(d.draft_id)}` },
              h('strong', {}, t('continue_draft', { title: name ? `${title}: ${name}` : title })),
              h('span', { class: 'meta' }, t('updated', { when: formatDateTime(d.updated_at, app.lang) }))));
        }))));
    }
    sections.push(h('section', { 'aria-labelledby': 'forms-h' },
      h('h1', { id: 'forms-h' }, t('forms')),
      forms.length ? h('p', { class: 'hint' }, t('new_form_intro')) : h('p', { class: 'hint' }, list ? t('no_forms') : t('loading')),
      h('ul', { class: 'form-list' }, forms.map((f) => h('li', {},
        h('button', { type: 'button', class: 'form-button', onclick: () => app.startDraft(f) },
          pick(f.title, app.lang),
          // an XLSForm imported in English only: its texts show English in the Khmer place
          f.needs_khmer ? h('span', { class: 'badge needs-khmer', title: t('needs_khmer_hint') }, t('needs_khmer')) : null))))),
      h('p', {}, h('a', { class: 'button', href: '#/find' }, t('find_record'))));
    replace(main, ...sections);
  }
  await draw();
  return view;
}
