// Starts and stops the real writeen-chat binary on loopback for the browser tests, and talks
// to its REST API the way another client (or the Writeen main app) would.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function binaryPath() {
  const bin = process.env.WRITEEN_BINARY || join(repoRoot, 'build', 'writeen-chat');
  if (!existsSync(bin)) throw new Error(`writeen-chat binary not found at ${bin} (set WRITEEN_BINARY)`);
  return bin;
}

export function webRoot() {
  const root = process.env.WRITEEN_WEB_ROOT || join(repoRoot, 'web', 'dist');
  if (!existsSync(join(root, 'index.html'))) throw new Error(`built web client not found in ${root} (run scripts/build-web.sh)`);
  return root;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One writeen-chat process. `start()` may be called again after `stop()`: it reuses the data
 * dir and, once a port is known, the same port (a restart as an operator would do it).
 */
export class ChatServer {
  constructor({ extraArgs = [] } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'writeen-e2e-'));
    this.dataDir = join(this.dir, 'data');
    this.secret = randomBytes(32).toString('hex');
    this.extraArgs = extraArgs;
    this.port = 0;
    this.proc = null;
    this.starts = 0;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server and resolves once it printed the address it listens on (bounded). */
  async start(timeoutMs = 20_000) {
    if (this.proc) throw new Error('server already running');
    this.starts += 1;
    const logPath = join(this.dir, `server-${this.starts}.log`);
    const logFd = openSync(logPath, 'w');
    this.logPath = logPath;
    const args = [
      'serve',
      '--listen', `127.0.0.1:${this.port}`,
      '--data-dir', this.dataDir,
      '--jwt-secret', this.secret,
      '--dev',
      '--web-root', webRoot(),
      '--log-level', 'warn',
      ...this.extraArgs,
    ];
    const proc = spawn(binaryPath(), args, { stdio: ['ignore', 'pipe', logFd] });
    closeSync(logFd);
    this.proc = proc;
    const exited = new Promise((res) => proc.once('exit', (code, signal) => res({ code, signal })));
    this.exited = exited;
    let out = '';
    const listening = new Promise((res, rej) => {
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (chunk) => {
        out += chunk;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      exited.then(({ code, signal }) => rej(new Error(`writeen-chat exited (${code ?? signal}) before listening:\n${this.log()}`)));
    });
    let timer;
    const timeout = new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`writeen-chat did not print its address within ${timeoutMs} ms:\n${this.log()}`)), timeoutMs);
    });
    try {
      this.port = await Promise.race([listening, timeout]);
    } catch (e) {
      await this.kill();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return this.origin;
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  /** SIGTERM (the drain) and wait for the exit; the exit status, SIGKILL after the bound. */
  async stop(timeoutMs = 15_000) {
    const proc = this.proc;
    if (!proc) return null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    let timer;
    const result = await Promise.race([
      this.exited,
      new Promise((res) => {
        timer = setTimeout(() => res(null), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (result === null) {
      await this.kill();
      throw new Error(`writeen-chat did not exit within ${timeoutMs} ms of SIGTERM`);
    }
    this.proc = null;
    return result;
  }

  async kill() {
    const proc = this.proc;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await Promise.race([this.exited, sleep(5000)]);
    this.proc = null;
  }

  /** Stops the process (if any) and removes its files. */
  async dispose() {
    try {
      await this.stop();
    } catch {
      await this.kill();
    }
    if (!process.env.WRITEEN_E2E_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  // ---- REST ----

  /** One REST call; resolves to {status, body} (body parsed when JSON). Bounded by a timeout. */
  async request(method, path, { token, body, headers = {}, timeoutMs = 10_000 } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      if (body instanceof FormData || body instanceof Uint8Array) payload = body;
      else {
        h['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
      }
    }
    const res = await fetch(`${this.origin}${path}`, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('application/json') ? await res.json() : Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** A REST call that must succeed; returns `data`. */
  async api(method, path, opts = {}) {
    const r = await this.request(method, path, opts);
    if (r.status < 200 || r.status >= 300 || !r.body || r.body.success !== true) {
      throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    }
    return r.body.data;
  }

  async devUsers() {
    return (await this.api('GET', '/api/dev/users')).users;
  }

  async token(userId) {
    return (await this.api('POST', '/api/dev/token', { body: { userId } })).token;
  }
}

/** Polls `f` until it returns a truthy value; throws after `timeoutMs` with `what`. */
export async function waitFor(f, { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await f();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(intervalMs);
  }
}
