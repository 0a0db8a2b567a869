// A TCP proxy in front of the chat server that cuts one download in the middle of its body, the
// way a dropped connection does: every byte passes through unchanged (pages, REST, WebSocket),
// except that the response to the first request matching `cut` gets its headers and only
// `bodyBytes` bytes of its body, and then the connection closes. Offline emulation and a server
// kill do not do this reliably in Chromium (the body was already buffered), a cut stream does.
import { createServer, connect } from 'node:net';

export class CuttingProxy {
  /**
   * @param {number} targetPort the server's port on 127.0.0.1
   * @param {{ cut: RegExp, bodyBytes: number }} options `cut` is tested against the request line
   *   ("GET /api/files/… HTTP/1.1"); only its first match is cut.
   */
  constructor(targetPort, { cut, bodyBytes }) {
    this.targetPort = targetPort;
    this.cutPattern = cut;
    this.bodyBytes = bodyBytes;
    this.armed = true;
    /** Set once the cut happened: the body bytes that got through. */
    this.cutAt = null;
    this.sockets = new Set();
    this.server = createServer((client) => this.relay(client));
  }

  get origin() {
    return `http://127.0.0.1:${this.server.address().port}`;
  }

  async start() {
    await new Promise((res, rej) => {
      this.server.once('error', rej);
      this.server.listen(0, '127.0.0.1', res);
    });
    return this.origin;
  }

  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((res) => this.server.close(res));
  }

  relay(client) {
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let cutDone = false;
    const forget = () => {
      // After the cut the client's side is ending on its own (its last bytes still to flush).
      if (!cutDone) client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);

    // The response being cut on this connection: null, or how much of it has passed.
    let cutting = null;
    client.on('data', (chunk) => {
      if (this.armed) {
        const requestLine = chunk.toString('latin1', 0, Math.min(chunk.length, 2048)).split('\r\n', 1)[0];
        if (this.cutPattern.test(requestLine)) {
          this.armed = false;
          cutting = { head: Buffer.alloc(0), bodyLeft: null };
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!cutting) {
        client.write(chunk);
        return;
      }
      let data = chunk;
      if (cutting.bodyLeft === null) {
        // Still in the headers: pass them whole, then count the body.
        const head = Buffer.concat([cutting.head, data]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          cutting.head = head;
          return;
        }
        client.write(head.subarray(0, end + 4));
        data = head.subarray(end + 4);
        cutting.bodyLeft = this.bodyBytes;
      }
      const pass = data.subarray(0, cutting.bodyLeft);
      cutting.bodyLeft -= pass.length;
      if (pass.length > 0) client.write(pass);
      if (cutting.bodyLeft === 0) {
        // A clean close (FIN), so the browser reads every byte sent before it sees the drop.
        this.cutAt = this.bodyBytes;
        cutting = null;
        cutDone = true;
        upstream.destroy();
        client.end();
      }
    });
  }
}
