'use strict';
// The scaled-out shape of docs/OPERATIONS.md "Several nodes", on loopback: one PostgreSQL
// database shared by every node, one Redis, three writeen-chat nodes on fixed ports (so that a
// node restarted after kill -9 is back in nginx's upstream), and nginx running deploy/nginx.conf
// as shipped in front of them (scripts/test-servers/nginx.sh). Clients talk to `entry`, the
// nginx address; a test reaches a node directly only to look at it (/readyz, /metrics) or to pin
// a socket when that is the point of the test.
//
// The nodes come from tests/integration/lib/cluster.js (startCluster); this file adds the
// PostgreSQL server the suite owns (it is stopped and started by a test, so it cannot be the one
// scripts/test.sh shares with the other suites) and nginx.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { REPO_ROOT, makeTempDir, removeDir } = require('../../integration/lib/server');
const { startCluster } = require('../../integration/lib/cluster');
const { call } = require('../../integration/lib/http');

const SCRIPTS = path.join(REPO_ROOT, 'scripts', 'test-servers');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback port nothing listens on right now (the kernel's choice, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Runs a test-server script; returns what it printed as {NAME: value}. */
function runScript(name, args) {
  const out = execFileSync(path.join(SCRIPTS, name), args, { stdio: ['ignore', 'pipe', 'inherit'] }).toString('utf8');
  const env = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** PostgreSQL 15 from scripts/test-servers/postgres.sh, with one database for the cluster. */
class TestPostgres {
  constructor(port) {
    this.dir = makeTempDir('wcl-pg-');
    // As root the server runs as the postgres user, which must reach its directory.
    fs.chmodSync(this.dir, 0o711);
    this.port = port;
    this.database = 'writeen_cluster';
  }
  start() { this.adminUrl = runScript('postgres.sh', ['start', this.dir, String(this.port)]).WRITEEN_TEST_POSTGRES_URL; }
  stop() { runScript('postgres.sh', ['stop', this.dir]); }
  createDatabase() {
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', this.adminUrl, '-c', `CREATE DATABASE ${this.database} TEMPLATE template0`],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  get url() {
    const u = new URL(this.adminUrl);
    u.pathname = `/${this.database}`;
    return u.toString();
  }
  /** Rows of one query on the cluster's database, each row's columns split on tabs. */
  query(sql) {
    const out = execFileSync('psql', ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', this.url, '-c', sql],
      { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
    return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
  }
  remove() { this.stop(); removeDir(this.dir); }
}

/** nginx with deploy/nginx.conf as shipped, its upstream the given node ports. */
class TestNginx {
  constructor(port, secret) {
    this.dir = makeTempDir('wcl-nginx-');
    this.port = port;
    this.secret = secret; // registerUser() mints tokens with server.secret
  }
  start(nodePorts) { runScript('nginx.sh', ['start', this.dir, String(this.port), ...nodePorts.map(String)]); }
  stop() { runScript('nginx.sh', ['stop', this.dir]); }
  get baseUrl() { return `http://127.0.0.1:${this.port}`; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }
  /** The last lines of nginx's error log, for a failure message. */
  errorLog() {
    try { return fs.readFileSync(path.join(this.dir, 'error.log'), 'utf8').split('\n').slice(-20).join('\n'); } catch { return ''; }
  }
  remove() { this.stop(); removeDir(this.dir); }
}

/** Polls a node's /readyz until it answers `want` (200 ready, 503 not). */
async function waitReady(node, want = 200, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      last = await call(node, 'GET', '/readyz', { timeoutMs: 5000 });
      if (last.status === want) return last;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error(`readyz of port ${node.port} stayed ${last && last.status}: ${last && last.text}`);
}

/** One sample of a node's /metrics: {name: value} for every unlabelled series. */
async function metrics(node) {
  const res = await call(node, 'GET', '/metrics');
  const out = {};
  for (const m of res.text.matchAll(/^([a-z_]+) ([0-9.e+-]+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/**
 * Starts PostgreSQL, Redis, `n` nodes on PostgreSQL and the Redis bus, and nginx in front.
 * Returns {pg, redis, nodes, entry, secret, stop()}.
 */
async function startStack(n = 3, { presenceTtlS = 3 } = {}) {
  const pg = new TestPostgres(await freePort());
  pg.start();
  let cluster;
  let nginx;
  try {
    pg.createDatabase();
    const ports = [];
    for (let i = 0; i < n; i += 1) ports.push(await freePort());
    cluster = await startCluster(n, {
      presenceTtlS, listenPorts: ports,
      extraArgs: ['--store', 'postgres', '--postgres-url', pg.url, '--log-level', 'warn'],
    });
    for (const node of cluster.nodes) await waitReady(node);
    nginx = new TestNginx(await freePort(), cluster.secret);
    nginx.start(ports);
    await waitReady(nginx);
  } catch (e) {
    if (nginx) nginx.remove();
    if (cluster) await cluster.stop();
    pg.remove();
    throw e;
  }
  return {
    pg, redis: cluster.redis, nodes: cluster.nodes, entry: nginx, secret: cluster.secret,
    // What a test stopped on purpose, so that the next test can bring it back.
    pgUp: true, redisUp: true,
    async stop() {
      nginx.remove();
      await cluster.stop();
      pg.remove();
    },
  };
}

module.exports = { startStack, waitReady, metrics, freePort, sleep, TestPostgres, TestNginx };
