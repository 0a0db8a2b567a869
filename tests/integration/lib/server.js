'use strict';
// Starts and stops the real writeen-chat binary for black-box tests.
//
// Each server gets a fresh temporary data directory (removed by stop()), listens on an
// ephemeral loopback port, and is found ready when it prints `listening on http://127.0.0.1:<port>`
// on stdout. kill9() + restart() reuse the same data directory, for durability tests.

const { execFileSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const BINARY = process.env.WRITEEN_BINARY || path.join(REPO_ROOT, 'build', 'writeen-chat');
const READY_TIMEOUT_MS = 20000;
const EXIT_TIMEOUT_MS = 10000;
const LOG_TAIL_BYTES = 64 * 1024;

/** A 48-byte random secret, printable, above the 32-byte minimum. */
function newSecret() {
  return crypto.randomBytes(36).toString('base64url');
}

/** 'postgres' when the suite runs against PostgreSQL, else 'sqlite'. */
const STORE = process.env.WRITEEN_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
const POSTGRES_URL = process.env.WRITEEN_TEST_POSTGRES_URL || '';
if (STORE === 'postgres' && !POSTGRES_URL) {
  throw new Error('WRITEEN_TEST_STORE=postgres needs WRITEEN_TEST_POSTGRES_URL (scripts/test-servers/postgres.sh)');
}

/** Runs one statement on the test PostgreSQL's maintenance database (psql: no client library needed). */
function postgresAdmin(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', POSTGRES_URL, '-c', sql],
    { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The URL of another database on the same server as WRITEEN_TEST_POSTGRES_URL. */
function postgresDatabaseUrl(name) {
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A new, empty database (template0: nothing copied, so it is made in a few milliseconds). */
function createPostgresDatabase() {
  const name = `writeen_it_${process.pid}_${crypto.randomBytes(6).toString('hex')}`;
  postgresAdmin(`CREATE DATABASE ${name} TEMPLATE template0`);
  return name;
}

/** Drops a test database; WITH (FORCE) ends what a killed server left connected. */
function dropPostgresDatabase(name) {
  postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * The arguments that point the binary (serve or a subcommand) at a server's store: none on
 * SQLite (the data directory holds the database), --store postgres --postgres-url on PostgreSQL.
 */
function storeArgs(server) {
  if (STORE !== 'postgres' || !server || !server.postgresUrl) return [];
  return ['--store', 'postgres', '--postgres-url', server.postgresUrl];
}

/**
 * Skips a test that only makes sense on SQLite (it reads the database file, or tests a
 * SQLite-only command), saying why: call as `test('x', skipOnPostgres('why'), async () => ...)`.
 */
function skipOnPostgres(reason) {
  return STORE === 'postgres' ? { skip: `SQLite only: ${reason}` } : {};
}

function makeTempDir(prefix = 'writeen-it-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function removeDir(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** The parent environment without any WRITEEN_* variable, so tests control the whole config. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('WRITEEN_')) env[k] = v;
  }
  return { ...env, ...extra };
}

class Tail {
  constructor() { this.text = ''; }
  push(chunk) {
    this.text += chunk.toString('utf8');
    if (this.text.length > LOG_TAIL_BYTES) this.text = this.text.slice(-LOG_TAIL_BYTES);
  }
}

/**
 * Runs the binary to completion (or kills it after timeoutMs) and reports what it did.
 * Used for the subcommands and for start-up refusals.
 */
function runBinary(args, { env = {}, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BINARY, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = new Tail();
    const err = new Tail();
    let timedOut = false;
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout: out.text, stderr: err.text });
    });
  });
}

class Server {
  /**
   * @param {object} opts
   * @param {string} [opts.secret]        --jwt-secret (default: a fresh random one)
   * @param {number} [opts.rateLimit]     --rate-limit N
   * @param {boolean} [opts.dev]          --dev
   * @param {string} [opts.allowedOrigins] --allowed-origins
   * @param {string[]} [opts.extraArgs]
   * @param {object} [opts.env]           extra environment variables
   */
  constructor(opts = {}) {
    this.opts = opts;
    this.secret = opts.secret === undefined ? newSecret() : opts.secret;
    this.dataDir = opts.dataDir || makeTempDir();
    this.ownsDataDir = !opts.dataDir;
    // opts.postgresDatabase: share another server's database (a restart under other options).
    this.postgresDatabase = STORE === 'postgres' ? (opts.postgresDatabase || createPostgresDatabase()) : null;
    this.ownsPostgresDatabase = STORE === 'postgres' && !opts.postgresDatabase;
    this.proc = null;
    this.port = null;
    this.crashed = null;
    this.stdout = new Tail();
    this.stderr = new Tail();
    this.exited = null; // Promise<{code, signal}> for the current process
  }

  get postgresUrl() { return this.postgresDatabase ? postgresDatabaseUrl(this.postgresDatabase) : null; }
  get baseUrl() { return `http://127.0.0.1:${this.port}`; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }

  args() {
    const a = ['serve', '--listen', this.opts.listen || '127.0.0.1:0', '--data-dir', this.dataDir];
    if (this.secret !== null) a.push('--jwt-secret', this.secret);
    a.push(...storeArgs(this));
    if (this.opts.rateLimit !== undefined) a.push('--rate-limit', String(this.opts.rateLimit));
    if (this.opts.dev) a.push('--dev');
    if (this.opts.allowedOrigins) a.push('--allowed-origins', this.opts.allowedOrigins);
    if (this.opts.extraArgs) a.push(...this.opts.extraArgs);
    return a;
  }

  /** Spawns the process and resolves once it announced its port. */
  start() {
    if (this.proc) throw new Error('server already running');
    const child = spawn(BINARY, this.args(), {
      env: cleanEnv(this.opts.env || {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = child;
    this.port = null;
    this.stdout = new Tail();
    this.stderr = new Tail(); // each process's own output (a crash was printed when it happened)
    this.expectingExit = false;
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (!this.expectingExit && this.port !== null) {
          // A crash in the middle of a test: say so loudly, with what the server printed.
          process.stderr.write(`\n[writeen-chat on port ${this.port} exited unexpectedly: code ${code}, signal ${signal}]\n`
            + `--- stdout tail ---\n${this.stdout.text.slice(-2000)}\n--- stderr tail ---\n${this.stderr.text.slice(-4000)}\n-------------------\n`);
          this.crashed = { code, signal };
        }
        resolve({ code, signal });
      });
    });
    child.stderr.on('data', (c) => this.stderr.push(c));
    return new Promise((resolve, reject) => {
      let settled = false;
      let seen = '';
      const fail = (why) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try { child.kill('SIGKILL'); } catch { /* already gone */ }
        reject(new Error(`${why}\nargs: ${this.args().join(' ')}\nstdout:\n${this.stdout.text}\nstderr:\n${this.stderr.text}`));
      };
      const timer = setTimeout(() => fail(`server did not print "listening on" within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      child.stdout.on('data', (c) => {
        this.stdout.push(c);
        if (settled) return;
        seen += c.toString('utf8');
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
        if (m) {
          settled = true;
          clearTimeout(timer);
          this.port = Number(m[1]);
          resolve(this);
        }
      });
      child.on('error', (e) => fail(`could not spawn ${BINARY}: ${e.message}`));
      child.on('close', (code, signal) => fail(`server exited before it was ready (code ${code}, signal ${signal})`));
    });
  }

  /** Sends a signal and waits for the process to end; returns {code, signal}. */
  async signal(sig, timeoutMs = EXIT_TIMEOUT_MS) {
    if (!this.proc) return null;
    const child = this.proc;
    const exited = this.exited;
    this.expectingExit = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    let timer;
    const result = await Promise.race([
      exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); }),
    ]);
    clearTimeout(timer);
    if (result === null) {
      child.kill('SIGKILL');
      await exited;
      this.proc = null;
      throw new Error(`server did not exit within ${timeoutMs} ms after ${sig}\nstderr:\n${this.stderr.text}`);
    }
    this.proc = null;
    return result;
  }

  /**
   * Restarts the server on the same data dir if it crashed during an earlier test, so one
   * crash fails the test that caused it rather than every later test of the file.
   */
  async ensureRunning() {
    if (!this.crashed) return;
    this.crashed = null;
    this.proc = null;
    await this.start();
  }

  /** Why calls may have failed: a description of the crash, or null. */
  crashReport() {
    if (!this.crashed) return null;
    return `writeen-chat crashed (code ${this.crashed.code}, signal ${this.crashed.signal}); stderr tail:\n${this.stderr.text.slice(-1500)}`;
  }

  /** Graceful stop: SIGTERM, wait for exit. */
  terminate() { return this.signal('SIGTERM'); }

  /** Crash: SIGKILL, no chance to flush anything. */
  kill9() { return this.signal('SIGKILL'); }

  /** Starts again on the same data directory (new port). */
  async restart() {
    if (this.proc) await this.terminate();
    return this.start();
  }

  /** Stops the process however it can and removes the data directory. Safe to call twice. */
  async stop() {
    if (this.proc) {
      try { await this.signal('SIGTERM', 5000); } catch { /* killed with -9 by signal() */ }
    }
    if (this.ownsDataDir) removeDir(this.dataDir);
    if (this.ownsPostgresDatabase && this.postgresDatabase) {
      dropPostgresDatabase(this.postgresDatabase);
      this.postgresDatabase = null;
    }
  }
}

async function startServer(opts = {}) {
  const s = new Server(opts);
  try {
    await s.start();
  } catch (e) {
    if (s.ownsDataDir) removeDir(s.dataDir);
    if (s.ownsPostgresDatabase) dropPostgresDatabase(s.postgresDatabase);
    throw e;
  }
  return s;
}

module.exports = {
  BINARY, REPO_ROOT, STORE, Server, startServer, runBinary, newSecret, makeTempDir, removeDir, cleanEnv,
  storeArgs, skipOnPostgres,
};
