'use strict';
// File uploads and raw downloads, shared by the suites that store files.

const crypto = require('node:crypto');
const { call } = require('./http');

/** A multipart/form-data body; parts [{name, filename?, contentType?, data}]. */
function multipart(parts) {
  const boundary = `----writeen${crypto.randomBytes(8).toString('hex')}`;
  const chunks = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += `\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POST /api/conversations/:id/upload with one file part and the optional fields of API.md. */
function upload(server, user, conversationId, { name = 'file.txt', data, description, replyTo, clientMessageId, extra = [] } = {}) {
  const parts = [{ name: 'file', filename: name, contentType: 'application/octet-stream', data }];
  if (description !== undefined) parts.push({ name: 'description', data: description });
  if (replyTo !== undefined) parts.push({ name: 'replyTo', data: replyTo });
  if (clientMessageId !== undefined) parts.push({ name: 'clientMessageId', data: clientMessageId });
  const form = multipart([...parts, ...extra]);
  return call(server, 'POST', `/api/conversations/${conversationId}/upload`, {
    token: user.token, body: form.body, headers: { 'content-type': form.contentType },
  });
}

/** GET returning the raw bytes (call() decodes text). */
async function getBytes(server, user, urlPath, headers = {}) {
  const res = await fetch(server.baseUrl + urlPath, { headers: { authorization: `Bearer ${user.token}`, ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

module.exports = { multipart, upload, getBytes };
