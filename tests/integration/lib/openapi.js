'use strict';
// Checks every REST answer the tests receive against docs/openapi.json (the document the server
// embeds and serves at /api/openapi.json): the path and method are documented, the status is,
// and a JSON body matches its schema (JSON Schema 2020-12, as OpenAPI 3.1 says). http.js calls
// check() on every response, so a server that drifts from its document fails the test that saw it.

const fs = require('node:fs');
const path = require('node:path');

let Ajv2020;
let addFormats;
try {
  Ajv2020 = require('ajv/dist/2020');
  addFormats = require('ajv-formats');
} catch (e) {
  throw new Error(`tests/integration needs ajv and ajv-formats: run \`npm ci\` in tests/integration (${e.message})`);
}

const DOCUMENT_PATH = path.resolve(__dirname, '..', '..', '..', 'docs', 'openapi.json');
const document = JSON.parse(fs.readFileSync(DOCUMENT_PATH, 'utf8'));
const DOC_ID = 'openapi.json';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, DOC_ID);

/** JSON Pointer escaping of one token. */
const token = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/** Each documented path with a matcher; literal segments win over parameters. */
const templates = Object.keys(document.paths).map((template) => {
  const segments = template.split('/').slice(1);
  const regex = new RegExp(`^/${segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`);
  return { template, regex, literals: segments.filter((s) => !s.startsWith('{')).length };
}).sort((a, b) => b.literals - a.literals);

function findTemplate(urlPath) {
  const found = templates.find((t) => t.regex.test(urlPath));
  return found ? found.template : null;
}

const validators = new Map();
function validatorFor(pointer) {
  if (!validators.has(pointer)) {
    const v = ajv.getSchema(`${DOC_ID}#${pointer}`);
    if (!v) throw new Error(`docs/openapi.json has no schema at ${pointer}`);
    validators.set(pointer, v);
  }
  return validators.get(pointer);
}

/** Follows a local $ref of the document (responses may be references). */
function resolve(node, pointer) {
  if (node && node.$ref && node.$ref.startsWith('#/')) {
    const parts = node.$ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target = document;
    for (const p of parts) target = target[p];
    return { node: target, pointer: node.$ref.slice(1) };
  }
  return { node, pointer };
}

function headerOf(headers, name) {
  if (!headers) return '';
  if (typeof headers.get === 'function') return headers.get(name) || '';
  return headers[name] || '';
}

function describeErrors(errors) {
  return errors.slice(0, 8).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
}

/**
 * What is wrong with res as the answer to method urlPath, or null when it matches the document.
 * res: {status, headers, text, body}.
 */
function check(method, target, res) {
  const urlPath = target.split('?')[0];
  const m = method.toLowerCase();
  const template = findTemplate(urlPath);
  const where = `${method} ${urlPath}`;
  if (!template) {
    // The web client's files and client-side routes are not the REST API.
    if (!urlPath.startsWith('/api/') && urlPath !== '/api' && urlPath !== '/ws') return null;
    return matchError(res, where, '#/components/schemas/ErrorEnvelope', 'an undocumented path must answer the error envelope');
  }
  const operation = document.paths[template][m];
  const opPointer = `/paths/${token(template)}/${m}`;
  if (!operation) {
    if (m === 'head' || m === 'options') return null;
    return matchError(res, where, '#/components/schemas/ErrorEnvelope', `${method} is not documented on ${template}: the answer must be an error`);
  }
  const status = String(res.status);
  const key = [status, `${status[0]}XX`, 'default'].find((k) => operation.responses[k]);
  if (!key) return `${where} answered ${status}, which docs/openapi.json does not list for ${m.toUpperCase()} ${template} (it lists ${Object.keys(operation.responses).join(', ')})`;
  const { node: response, pointer } = resolve(operation.responses[key], `${opPointer}/responses/${token(key)}`);
  if (!response.content) return null;
  if (m === 'head') return null;
  const contentType = headerOf(res.headers, 'content-type').split(';')[0].trim().toLowerCase();
  const media = Object.keys(response.content).find((t) => t === contentType);
  if (!media) return `${where} answered ${status} with Content-Type "${contentType}"; docs/openapi.json lists ${Object.keys(response.content).join(', ')}`;
  if (!media.endsWith('json')) return null;
  if (res.body === undefined) return `${where} answered ${status} with ${media} that is not JSON: ${String(res.text).slice(0, 200)}`;
  return matchError(res, where, `#${pointer}/content/${token(media)}/schema`, `${status} of ${m.toUpperCase()} ${template}`);
}

function matchError(res, where, ref, what) {
  const pointer = ref.slice(1);
  if (res.body === undefined) return `${where} answered ${res.status} without a JSON body (${what})`;
  const validate = validatorFor(pointer);
  if (validate(res.body)) return null;
  return `${where} answered ${res.status}; the body does not match docs/openapi.json (${what}): ${describeErrors(validate.errors)}`;
}

module.exports = { check, document, findTemplate };
