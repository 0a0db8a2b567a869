'use strict';
// Web Push payload encryption (RFC 8291, aes128gcm) checked against an independent
// implementation: what writeen_notify encrypts for a browser's keys, the http_ece package
// decrypts with the browser's private key. The unit tests prove the RFC's own example; this
// proves fresh keys and salts, and the edges of the payload size, interoperate.
//
// Runs build/web_push_encrypt_tool (next to $WRITEEN_BINARY when that is set), no server.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const ece = require('http_ece');
const { BINARY } = require('./lib/server');

const TOOL = path.join(path.dirname(BINARY), 'web_push_encrypt_tool');
const MAX_PLAINTEXT = 3993;

/** A browser's side of a subscription: its key pair and auth secret. */
function browserSubscription() {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
}

/** Runs the tool; returns { status, body (Buffer, when it succeeded), stderr }. */
function encrypt(subscription, plaintext) {
  const r = spawnSync(TOOL, [subscription.p256dh, subscription.auth], { input: plaintext, timeout: 10000 });
  if (r.error) throw r.error;
  const stdout = r.stdout.toString('utf8').trim();
  return { status: r.status, body: r.status === 0 ? Buffer.from(stdout, 'base64url') : null, stderr: r.stderr.toString('utf8') };
}

function decrypt(subscription, body) {
  return ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.auth });
}

describe('web push encryption', () => {
  it('is found next to the server binary', () => {
    assert.ok(fs.existsSync(TOOL), `${TOOL} is missing: build the web_push_encrypt_tool target`);
  });

  it('produces bodies that http_ece decrypts to the plaintext', () => {
    const subscription = browserSubscription();
    for (const text of ['hi', '{"type":"message","title":"Ani","preview":"Halo, sudah baca revisinya? 👋"}']) {
      const plaintext = Buffer.from(text, 'utf8');
      const { status, body, stderr } = encrypt(subscription, plaintext);
      assert.equal(status, 0, stderr);
      assert.deepEqual(decrypt(subscription, body), plaintext);
    }
  });

  it('cannot be decrypted with another browser\'s keys', () => {
    const subscription = browserSubscription();
    const { body } = encrypt(subscription, Buffer.from('for one browser only'));
    const other = browserSubscription();
    assert.throws(() => decrypt(other, body));
    assert.throws(() => decrypt({ ecdh: subscription.ecdh, auth: other.auth }, body));
  });

  it('uses a fresh salt and sender key for every message', () => {
    const subscription = browserSubscription();
    const plaintext = Buffer.from('same text twice');
    const first = encrypt(subscription, plaintext).body;
    const second = encrypt(subscription, plaintext).body;
    assert.notDeepEqual(first.subarray(0, 16), second.subarray(0, 16), 'salt');
    assert.notDeepEqual(first.subarray(21, 86), second.subarray(21, 86), 'sender public key');
    assert.deepEqual(decrypt(subscription, first), plaintext);
    assert.deepEqual(decrypt(subscription, second), plaintext);
  });

  it('lays the header out as salt(16) | rs(4) = 4096 | idlen(1) = 65 | keyid', () => {
    const { body } = encrypt(browserSubscription(), Buffer.from('x'));
    assert.equal(body.readUInt32BE(16), 4096);
    assert.equal(body[20], 65);
    assert.equal(body[21], 0x04, 'keyid is an uncompressed P-256 point');
    assert.equal(body.length, 86 + 1 + 1 + 16);
  });

  it('carries binary, empty and the largest payloads, the largest in exactly 4096 bytes', () => {
    const subscription = browserSubscription();
    for (const plaintext of [Buffer.alloc(0), crypto.randomBytes(1000), crypto.randomBytes(MAX_PLAINTEXT)]) {
      const { status, body, stderr } = encrypt(subscription, plaintext);
      assert.equal(status, 0, stderr);
      assert.equal(body.length, 86 + plaintext.length + 17);
      assert.deepEqual(decrypt(subscription, body), plaintext);
    }
  });

  it('refuses a payload over 3993 bytes and malformed subscription keys', () => {
    const subscription = browserSubscription();
    const tooBig = encrypt(subscription, crypto.randomBytes(MAX_PLAINTEXT + 1));
    assert.equal(tooBig.status, 1);
    assert.match(tooBig.stderr, /3993/);

    const compressed = crypto.createECDH('prime256v1');
    compressed.generateKeys();
    for (const keys of [
      { p256dh: compressed.getPublicKey('base64url', 'compressed'), auth: subscription.auth },
      { p256dh: subscription.p256dh + '=', auth: subscription.auth },
      { p256dh: subscription.p256dh, auth: crypto.randomBytes(15).toString('base64url') },
    ]) {
      const r = encrypt(keys, Buffer.from('x'));
      assert.equal(r.status, 1, JSON.stringify(keys));
      assert.match(r.stderr, /refused/);
    }
  });
});
