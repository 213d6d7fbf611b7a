// The server's HTTP API, as promises. Every failure is an ApiFailure: `network` when no answer
// came (offline, cut link, timeout), else the HTTP status and the error envelope's code.
// No caching here (data lives in IndexedDB; the service worker never caches /api).

export class ApiFailure extends Error {
  constructor({ status = 0, code = 'network', message = 'no connection', details = [], retryAfter = null, network = false }) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.network = network;
  }
}

const TIMEOUT_MS = 45000;

export function createApi({ base = '', getToken = () => null, fetchImpl = (...a) => globalThis.fetch(...a), timeoutMs = TIMEOUT_MS } = {}) {
  async function call(method, path, { body, headers = {}, auth = true, raw = false, timeout = timeoutMs, okStatuses = [] } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (auth) {
      const token = await getToken();
      if (token) h.Authorization = `Bearer ${token}`;
    }
    const controller = typeof AbortController !== 'undefined' ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), timeout) : null;
    let res;
    try {
      res = await fetchImpl(base + path, { method, headers: h, body, cache: 'no-store', signal: controller?.signal });
    } catch (err) {
      throw new ApiFailure({ network: true, message: err && err.name === 'AbortError' ? 'timed out' : 'no connection' });
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (raw || okStatuses.includes(res.status)) return res;
    if (res.status === 304) return res;
    if (!res.ok) throw await failureOf(res);
    if (res.status === 204) return null;
    try {
      return await res.json();
    } catch {
      throw new ApiFailure({ network: true, message: 'the answer was cut off' });
    }
  }

  return {
    /** POST /auth/token (OAuth2 password form). */
    signIn(username, password, deviceId) {
      const form = new URLSearchParams({ username, password });
      if (deviceId) form.set('device_id', deviceId);
      return call('POST', '/api/v1/auth/token', {
        body: form, auth: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    },
    me: () => call('GET', '/api/v1/me'),
    locations: () => call('GET', '/api/v1/locations'),
    revoke: () => call('POST', '/api/v1/auth/revoke', { timeout: 8000 }),

    /** GET /forms with If-None-Match: {notModified: true} or {etag, forms}. */
    async forms(etag) {
      const res = await call('GET', '/api/v1/forms', { raw: true, headers: etag ? { 'If-None-Match': etag } : {} });
      if (res.status === 304) return { notModified: true, etag };
      if (!res.ok) throw await failureOf(res);
      const body = await res.json();
      return { notModified: false, etag: res.headers.get('ETag'), forms: body.forms };
    },
    formVersion: (formId, version) => call('GET', `/api/v1/forms/${encodeURIComponent(formId)}/versions/${encodeURIComponent(version)}`),

    push(deviceId, changes) {
      return call('POST', '/api/v1/sync/push', {
        body: JSON.stringify({ device_id: deviceId, changes }),
        headers: { 'Content-Type': 'application/json' },
        timeout: 120000,
      });
    },
    pull(cursor, limit = 500) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (cursor) q.set('cursor', cursor);
      return call('GET', `/api/v1/sync/pull?${q}`, { timeout: 120000 });
    },
    record: (recordId) => call('GET', `/api/v1/records/${encodeURIComponent(recordId)}`),

    /** HEAD an attachment: {complete: true} or {complete: false, offset}. */
    async attachmentStatus(sha) {
      const res = await call('HEAD', `/api/v1/attachments/${sha}`, { raw: true });
      if (res.status === 200) return { complete: true };
      if (res.status === 404) return { complete: false, offset: Number(res.headers.get('Upload-Offset') || 0) };
      throw await failureOf(res);
    },
    /** PUT bytes of an attachment from `offset` (resumable). Returns {status, offset}. */
    async putAttachment(sha, chunk, { offset = 0, total, contentType } = {}) {
      const headers = { 'Content-Type': contentType || 'application/octet-stream' };
      if (offset > 0 || (total != null && chunk.size < total)) {
        headers['Upload-Offset'] = String(offset);
        if (total != null) headers['Upload-Length'] = String(total);
      }
      const res = await call('PUT', `/api/v1/attachments/${sha}`, { body: chunk, headers, raw: true, timeout: 120000 });
      if (res.ok) {
        const held = Number(res.headers.get('Upload-Offset'));
        return { status: res.status, offset: Number.isFinite(held) && held > 0 ? held : offset + chunk.size };
      }
      throw await failureOf(res);
    },
    async attachmentBlob(sha) {
      const res = await call('GET', `/api/v1/attachments/${sha}`, { raw: true });
      if (!res.ok) throw await failureOf(res);
      return res.blob();
    },
  };
}

async function failureOf(res) {
  let error = {};
  try {
    const body = await res.json();
    error = (body && body.error) || {};
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  const retry = Number(res.headers.get('Retry-After'));
  const offset = res.headers.get('Upload-Offset');
  const failure = new ApiFailure({
    status: res.status,
    code: error.code || `http_${res.status}`,
    message: error.message || `HTTP ${res.status}`,
    details: error.details || [],
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
  });
  if (offset != null) failure.offset = Number(offset);
  return failure;
}
