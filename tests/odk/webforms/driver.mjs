// ODK Web Forms' engine (@getodk/xforms-engine) as a client of Homeward's OpenRosa server.
//
//   node driver.mjs < plan.json > result.json
//
// The plan (JSON on stdin) names the server (`base`: `{server}/openrosa/key/{token}`) and the
// steps to run in order; the result (JSON on stdout) has one entry a step. Steps:
//
//   {"op": "load", "base"?}: GET {base}/formList (the step's own base, if given), download each form by its downloadUrl, check its md5
//     against the listed hash, and load it with the engine (`loadForm` then `createInstance`).
//   {"op": "submit", "name", "form_id", "answers", "files"}: fill a new instance of the form and
//     POST it as Web Forms does. `answers` mirrors the instance tree: a group is an object, a
//     repeat a list of objects (one repeat instance each), a select_multiple a list, any other
//     value a string; a string naming a key of `files` (base64) answers an upload (image)
//     question with that file.
//     `language` (optional, "en" or "English (en)"): the language its messages are in.
//   {"op": "edit", "name", "of", "answers", "files"}: edit the instance a previous step `of`
//     submitted, as Web Forms edits a submission (`editInstance`, its resolvable input: the
//     XML and files that step sent, as Central's frontend resolves them from its server; the
//     engine sets `deprecatedID` and a new `instanceID`), change the `answers` given, and POST
//     it. Rows of a repeat given as {} are left as they are.
//
// Posting is what Web Forms' host does with the engine's payload: `prepareInstancePayload()`,
// and its `data[0]` (a FormData: `xml_submission_file` and one part per attachment, named by its
// file name) as the multipart body of `POST {base}/submission` with `X-OpenRosa-Version: 1.0`.
// A submit or edit step reports the payload's status and violations, the HTTP status and body,
// the instance XML and its `instanceID` / `deprecatedID`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

// the engine expects a browser: jsdom's DOM and XPath on globalThis, and __dirname for its
// bundled dependencies (TOOLCHAIN.md)
globalThis.__dirname = dirname(fileURLToPath(import.meta.url));
const { window } = new JSDOM('<!doctype html><html><body></body></html>');
for (const name of [
  'DOMParser',
  'XMLSerializer',
  'XPathResult',
  'XPathEvaluator',
  'Node',
  'Element',
  'Attr',
  'Document',
  'DocumentFragment',
  'CharacterData',
  'Text',
  'Comment',
  'ProcessingInstruction',
  'NodeFilter',
  'HTMLElement',
]) {
  if (!(name in globalThis) && window[name] !== undefined) globalThis[name] = window[name];
}
globalThis.document = window.document;
const { loadForm } = await import('@getodk/xforms-engine');

const OPENROSA = { 'X-OpenRosa-Version': '1.0' };
const XFORMS_LIST = 'http://openrosa.org/xforms/xformsList';

async function formList(base) {
  const response = await fetch(`${base}/formList`, { headers: OPENROSA });
  if (response.status !== 200) throw new Error(`formList: ${response.status}`);
  const doc = new window.DOMParser().parseFromString(await response.text(), 'text/xml');
  const text = (item, tag) => item.getElementsByTagNameNS(XFORMS_LIST, tag)[0]?.textContent ?? '';
  return [...doc.getElementsByTagNameNS(XFORMS_LIST, 'xform')].map((item) => ({
    formID: text(item, 'formID'),
    hash: text(item, 'hash'),
    downloadUrl: text(item, 'downloadUrl'),
  }));
}

async function download(item) {
  const response = await fetch(item.downloadUrl, { headers: OPENROSA });
  const bytes = Buffer.from(await response.arrayBuffer());
  const md5 = `md5:${createHash('md5').update(bytes).digest('hex')}`;
  return { status: response.status, md5, xml: bytes.toString('utf-8') };
}

async function load(xml) {
  const form = await loadForm(xml, { missingResourceBehavior: 'ERROR' });
  if (form.status === 'failure') throw new Error(`loadForm: ${form.error?.message}`);
  return form;
}

// the engine's nodes below `parent`, by their instance node name
function childrenByName(parent) {
  const out = new Map();
  for (const child of parent.currentState.children ?? []) {
    out.set(child.definition.qualifiedName.localName, child);
  }
  return out;
}

function fill(parent, answers, files, path = '') {
  for (const [name, value] of Object.entries(answers)) {
    const where = `${path}/${name}`;
    // looked up after each answer: an answer may change what is relevant below
    const node = childrenByName(parent).get(name);
    if (node === undefined) throw new Error(`${where}: not in the form`);
    if (!node.currentState.relevant) throw new Error(`${where}: not relevant, never asked`);
    if (node.nodeType === 'group') {
      fill(node, value, files, where);
    } else if (node.nodeType === 'repeat-range:uncontrolled') {
      while (node.currentState.children.length < value.length) node.addInstances();
      const rows = node.currentState.children;
      value.forEach((row, index) => fill(rows[index], row, files, `${where}[${index}]`));
    } else if (node.nodeType === 'select') {
      if (Array.isArray(value)) node.selectValues(value);
      else node.selectValue(value);
    } else if (node.nodeType === 'upload') {
      const content = files[value];
      if (content === undefined) throw new Error(`${where}: no file ${value}`);
      node.setValue(new File([Buffer.from(content, 'base64')], value, { type: 'image/png' }));
    } else if (node.nodeType === 'input') {
      node.setValue(String(value));
    } else {
      throw new Error(`${where}: cannot answer a ${node.nodeType}`);
    }
  }
}

function metaOf(xml) {
  const doc = new window.DOMParser().parseFromString(xml, 'text/xml');
  const find = (tag) => {
    for (const element of doc.getElementsByTagName('*')) {
      if (element.localName === tag) return element.textContent;
    }
    return null;
  };
  return { instance_id: find('instanceID'), deprecated_id: find('deprecatedID') };
}

async function submit(base, root, force) {
  const payload = await root.prepareInstancePayload();
  const body = payload.data[0];
  const instance = body.get('xml_submission_file');
  const xml = await instance.text();
  const parts = [...body.keys()];
  const attachments = new Map();
  for (const [key, value] of body.entries()) {
    if (key !== 'xml_submission_file') attachments.set(key, Buffer.from(await value.arrayBuffer()));
  }
  const result = {
    payload_status: payload.status,
    violations: (payload.violations ?? []).map((v) => ({
      reference: v.reference ?? v.fileName ?? null,
      condition: v.violation?.condition ?? null,
      message: v.violation?.message?.asString ?? null,
    })),
    parts,
    xml,
    ...metaOf(xml),
  };
  // Web Forms submits only a payload the engine finds ready (no constraint or required
  // violation); `force` posts it anyway, as a client that skips those checks would
  if (payload.status !== 'ready' && !force) return { ...result, status: null, body: null, attachments };
  const response = await fetch(`${base}/submission`, {
    method: 'POST',
    headers: OPENROSA,
    body,
  });
  return { ...result, status: response.status, body: await response.text(), attachments };
}

async function main() {
  const plan = JSON.parse(readFileSync(0, 'utf-8'));
  const base = plan.base;
  const forms = new Map(); // formID -> loaded form
  const submitted = new Map(); // step name -> { form_id, xml, attachments }
  const results = [];
  for (const step of plan.steps) {
    if (step.op === 'load') {
      const listed = {};
      for (const item of await formList(step.base ?? base)) {
        const got = await download(item);
        const entry = { download_status: got.status, md5_ok: got.md5 === item.hash };
        try {
          const form = await load(got.xml);
          const instance = form.createInstance();
          entry.load_status = form.status;
          entry.root_nodes = [...childrenByName(instance.root).keys()];
          forms.set(item.formID, form);
        } catch (error) {
          entry.load_status = 'failure';
          entry.error = String(error?.stack ?? error);
        }
        listed[item.formID] = entry;
      }
      results.push({ op: 'load', forms: listed });
    } else if (step.op === 'submit' || step.op === 'edit') {
      const files = step.files ?? {};
      let instance;
      let formId;
      if (step.op === 'submit') {
        formId = step.form_id;
        instance = forms.get(formId).createInstance();
      } else {
        const previous = submitted.get(step.of);
        formId = previous.form_id;
        instance = await forms.get(formId).editInstance({
          inputType: 'FORM_INSTANCE_INPUT_RESOLVABLE',
          resolveInstance: () => previous.xml,
          attachments: new Map(
            [...previous.attachments].map(([name, bytes]) => [
              name,
              async () => new Response(bytes, { headers: { 'Content-Type': 'image/png' } }),
            ]),
          ),
        });
      }
      if (step.language !== undefined) {
        // a language as the form names it ("English (en)"), or its code ("en")
        const wanted = instance.root.languages.find(
          (lang) => lang.language === step.language || lang.locale?.language === step.language,
        );
        if (wanted === undefined) throw new Error(`no language ${step.language}`);
        instance.root.setLanguage(wanted);
      }
      fill(instance.root, step.answers ?? {}, files);
      const sent = await submit(base, instance.root, step.force === true);
      submitted.set(step.name, { form_id: formId, xml: sent.xml, attachments: sent.attachments });
      const { attachments, ...report } = sent;
      results.push({ op: step.op, name: step.name, ...report });
    } else {
      throw new Error(`unknown op ${step.op}`);
    }
  }
  process.stdout.write(JSON.stringify(results));
}

await main();
