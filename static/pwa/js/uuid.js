// Ids made on the tablet (records, changes, repeat rows, drafts): UUID version 7 (RFC 9562),
// 48 bits of Unix time in milliseconds, then 74 random bits. Nothing is decided by the time
// in them (a tablet's clock is never trusted); what it buys is locality: ids made one after
// another sort together, so the server's B-tree indexes take them on their last pages instead
// of one random page per id (the reason CouchDB's default UUIDs are "sequential").

const hex = (bytes) => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');

export function newUuid(now = Date.now(), random = globalThis.crypto.getRandomValues(new Uint8Array(10))) {
  const b = new Uint8Array(16);
  let ms = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b.set(random.subarray(0, 10), 6);
  b[6] = (b[6] & 0x0f) | 0x70; // version 7
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
