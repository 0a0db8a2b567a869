'use strict';
// The WebSocket protocol itself (RFC 6455), spoken byte by byte over a raw TCP socket: the
// opening handshake's refusals, fragmented messages, control frames between fragments, frames
// split across TCP writes, and the close codes for protocol violations.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const net = require('node:net');
const { startServer } = require('./lib/server');
const { registerUser } = require('./lib/http');

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A client frame: masked unless told otherwise. */
function frame(opcode, payload, { fin = true, mask = true, rsv = 0 } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode)];
  const maskBit = mask ? 0x80 : 0;
  if (body.length < 126) head.push(maskBit | body.length);
  else if (body.length < 65536) head.push(maskBit | 126, body.length >> 8, body.length & 0xff);
  else throw new Error('test frames stay under 64 KiB');
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(body.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A raw connection: the HTTP answer to the upgrade, then the server's frames as they arrive. */
class RawSocket {
  static open(server, token, { version = '13', key = crypto.randomBytes(16).toString('base64') } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1');
      const raw = new RawSocket(socket, key);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(`GET /ws?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: ${version}\r\n` +
          `Sec-WebSocket-Key: ${key}\r\n\r\n`);
      });
      raw.headReady = resolve;
    });
  }

  constructor(socket, key) {
    this.socket = socket;
    this.key = key;
    this.buffer = Buffer.alloc(0);
    this.head = null;
    this.frames = [];
    this.ended = false;
    this.waiters = [];
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => { this.ended = true; this.wake(); });
    socket.on('error', () => {});
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.head) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = this.buffer.subarray(0, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 4);
      this.headReady(this);
    }
    if (this.status !== 101) return; // a refusal: an HTTP body follows, not frames
    for (;;) {
      if (this.buffer.length < 2) break;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) break;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      }
      assert.equal(this.buffer[1] & 0x80, 0, 'server frames are not masked');
      if (this.buffer.length < offset + length) break;
      this.frames.push({ fin: (this.buffer[0] & 0x80) !== 0, opcode: this.buffer[0] & 0x0f,
        payload: Buffer.from(this.buffer.subarray(offset, offset + length)) });
      this.buffer = this.buffer.subarray(offset + length);
    }
    this.wake();
  }

  wake() { for (const w of this.waiters.splice(0)) w(); }

  get status() { return Number(this.head.split(' ')[1]); }

  /** The first frame (from index `from`) matching pred, or a failure after timeoutMs. */
  async waitFrame(pred, timeoutMs = 3000, from = 0) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(pred);
      if (found) return found;
      if (this.ended || Date.now() > deadline) assert.fail(`no such frame; got ${JSON.stringify(this.frames.map((f) => [f.opcode, f.payload.toString()]))}`);
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }

  async waitEvent(event, timeoutMs = 3000) {
    const f = await this.waitFrame((x) => x.opcode === 1 && JSON.parse(x.payload.toString()).event === event, timeoutMs);
    return JSON.parse(f.payload.toString());
  }

  async waitClose(timeoutMs = 3000) {
    const f = await this.waitFrame((x) => x.opcode === 8, timeoutMs);
    return { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString() };
  }

  async waitEnded(timeoutMs = 7000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) assert.fail('the server did not end the connection');
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }

  write(bytes) { this.socket.write(bytes); }
  destroy() { this.socket.destroy(); }
}

describe('websocket protocol (raw frames)', () => {
  let server;
  let user;
  const opened = [];

  before(async () => {
    server = await startServer({ rateLimit: 100000 });
    user = await registerUser(server, { role: 'student', name: 'Raw' });
  });
  after(async () => {
    for (const s of opened) s.destroy();
    if (server) await server.stop();
  });

  const open = async (options) => {
    const s = await RawSocket.open(server, user.token, options);
    opened.push(s);
    return s;
  };

  it('answers the upgrade with 101 and the RFC accept key', async () => {
    const s = await open();
    assert.equal(s.status, 101, s.head);
    const accept = crypto.createHash('sha1').update(s.key + GUID).digest('base64');
    assert.match(s.head, new RegExp(`\\r\\nSec-WebSocket-Accept: ${accept.replace(/[+/]/g, '\\$&')}`, 'i'));
    assert.ok(!/Sec-WebSocket-Extensions/i.test(s.head), 'no extension is negotiated');
  });

  it('refuses another protocol version with 426 naming version 13', async () => {
    const s = await open({ version: '8' });
    assert.equal(s.status, 426, s.head);
    assert.match(s.head, /\r\nSec-WebSocket-Version: 13/i);
  });

  it('refuses a malformed Sec-WebSocket-Key with 400', async () => {
    const s = await open({ key: 'not-a-key' });
    assert.equal(s.status, 400, s.head);
  });

  it('reassembles a message sent in three fragments, with a ping frame between them', async () => {
    const s = await open();
    const text = JSON.stringify({ event: 'ping', requestId: 'fragments-1', data: {} });
    s.write(frame(1, text.slice(0, 10), { fin: false }));
    s.write(frame(9, 'between'));
    s.write(frame(0, text.slice(10, 20), { fin: false }));
    s.write(frame(0, text.slice(20)));
    const pongFrame = await s.waitFrame((f) => f.opcode === 10);
    assert.equal(pongFrame.payload.toString(), 'between', 'the ping payload comes back in the pong');
    const reply = await s.waitEvent('pong');
    assert.equal(reply.requestId, 'fragments-1');
  });

  it('handles frames split across TCP writes and several frames in one write', async () => {
    const s = await open();
    const one = frame(1, JSON.stringify({ event: 'ping', requestId: 'split', data: { pad: 'x'.repeat(300) } }));
    for (let i = 0; i < one.length; i += 7) {
      s.write(one.subarray(i, i + 7));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.equal((await s.waitEvent('pong')).requestId, 'split');
    const two = Buffer.concat([1, 2].map((n) => frame(1, JSON.stringify({ event: 'ping', requestId: `batch-${n}`, data: {} }))));
    s.write(two);
    const ids = async () => s.frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString()).requestId);
    await s.waitFrame((f) => f.opcode === 1 && f.payload.toString().includes('batch-2'));
    assert.deepEqual((await ids()).filter((id) => id && id.startsWith('batch')), ['batch-1', 'batch-2']);
  });

  it('closes with 1002 on an unmasked client frame', async () => {
    const s = await open();
    s.write(frame(1, JSON.stringify({ event: 'ping', data: {} }), { mask: false }));
    assert.equal((await s.waitClose()).code, 1002);
    await s.waitEnded();
  });

  it('closes with 1002 when reserved bits are set (no extension was agreed)', async () => {
    const s = await open();
    s.write(frame(1, '{}', { rsv: 4 }));
    assert.equal((await s.waitClose()).code, 1002);
  });

  it('closes with 1002 on a continuation frame that continues nothing', async () => {
    const s = await open();
    s.write(frame(0, 'orphan'));
    assert.equal((await s.waitClose()).code, 1002);
  });

  it('closes with 1007 on a text message that is not UTF-8', async () => {
    const s = await open();
    s.write(frame(1, Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])));
    assert.equal((await s.waitClose()).code, 1007);
  });

  it('closes with 1009 as soon as a header announces more than 64 KiB, before the payload', async () => {
    const s = await open();
    // A header announcing 70,000 bytes, and none of them.
    s.write(Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 1, 0x11, 0x70, 1, 2, 3, 4]));
    assert.equal((await s.waitClose()).code, 1009);
  });

  it('echoes the client close code and ends the connection', async () => {
    const s = await open();
    s.write(frame(1, JSON.stringify({ event: 'ping', requestId: 'before-close', data: {} })));
    await s.waitEvent('pong');
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    s.write(frame(8, payload));
    assert.equal((await s.waitClose()).code, 1000);
    await s.waitEnded();
  });

  it('queues what a full socket cannot take, then closes a client that does not read with 1008', async () => {
    const slowClosesTotal = async () => {
      const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
      return Number(/writeen_slow_consumer_closes_total (\d+)/.exec(text)[1]);
    };
    const before = await slowClosesTotal();
    const s = await open();
    s.socket.pause(); // stop reading: the kernel buffers fill, then the server's queue
    const big = 'r'.repeat(60 * 1024);
    const sent = 400;
    for (let i = 0; i < sent; i += 1) {
      s.write(frame(1, JSON.stringify({ event: 'ping', requestId: `${i}-${big}`, data: {} })));
    }
    // The server answers every ping; once its queue for this socket overflows it gives up on it.
    const deadline = Date.now() + 60000;
    while (await slowClosesTotal() === before) {
      assert.ok(Date.now() < deadline, 'the server never found the socket too slow');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    s.socket.resume();
    const close = await s.waitClose(10000);
    assert.equal(close.code, 1008, `close ${close.code} ${close.reason}`);
    // What was written before the close arrived whole and in order.
    const pongs = s.frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString()));
    assert.ok(pongs.length > 0 && pongs.length < sent, `${pongs.length} pongs before the close`);
    pongs.forEach((p, i) => assert.equal(p.requestId.split('-')[0], String(i)));
  });

  it('answers a binary message with an error event and stays open', async () => {
    const s = await open();
    s.write(frame(2, Buffer.from([1, 2, 3])));
    const err = await s.waitEvent('error');
    assert.equal(err.data.code, 'bad_request');
    s.write(frame(1, JSON.stringify({ event: 'ping', requestId: 'after-binary', data: {} })));
    assert.equal((await s.waitEvent('pong')).requestId, 'after-binary');
  });
});
