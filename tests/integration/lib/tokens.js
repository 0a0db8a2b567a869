'use strict';
// JWTs minted independently of the server's code: plain node:crypto HMAC over base64url JSON.

const crypto = require('node:crypto');

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

const HMAC = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/**
 * Signs `payload` with `secret`. `header` overrides fields of the JOSE header (e.g. alg).
 * alg "none" yields an unsigned token ("header.payload.").
 */
function sign(payload, secret, { alg = 'HS256', header = {} } = {}) {
  const head = { alg, typ: 'JWT', ...header };
  const signingInput = `${b64url(head)}.${b64url(payload)}`;
  if (alg === 'none') return `${signingInput}.`;
  const hash = HMAC[alg];
  if (!hash) throw new Error(`cannot sign ${alg}`);
  const sig = crypto.createHmac(hash, secret).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

/** Standard user claims with exp one hour ahead unless given. */
function claims({ id, name, role = 'student', avatar, exp, iat, extra = {} }) {
  const c = { sub: id, name: name || id, role, iat: iat ?? nowSeconds(), exp: exp ?? nowSeconds() + 3600, ...extra };
  if (avatar !== undefined) c.avatar = avatar;
  return c;
}

/** A valid HS256 token for a user. */
function userToken(secret, user, opts = {}) {
  return sign(claims({ ...user, ...opts }), secret);
}

/** Decodes (without verifying) the payload of a JWT. */
function decode(token) {
  const parts = token.split('.');
  return {
    header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
    signature: parts[2],
  };
}

/** True when `token` is a valid HS256 JWT for `secret` (constant-time compare). */
function verifyHs256(token, secret) {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2], 'base64url');
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

module.exports = { sign, claims, userToken, decode, verifyHs256, nowSeconds };
