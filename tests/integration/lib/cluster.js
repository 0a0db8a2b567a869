'use strict';
// Several writeen-chat nodes on one Redis bus, for the bus tests. A real redis-server is
// started here (scripts/test-servers/redis.sh, loopback, no persistence) so a test can stop
// and restart it.
//
// On PostgreSQL (WRITEEN_TEST_STORE=postgres, the suite's second run in make test) the nodes share
// one database: the supported shape. On SQLite they share one SQLite file (WAL mode: several
// processes may read, and the writer's IMMEDIATE transactions serialise): a development shape
// only, never a supported deployment. Either way they share one data directory for the keys
// (master, transcript, VAPID), as every node of a real cluster must.

const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { Server, REPO_ROOT, makeTempDir, removeDir, newSecret } = require('./server');

const REDIS_SCRIPT = path.join(REPO_ROOT, 'scripts', 'test-servers', 'redis.sh');

class TestRedis {
  constructor() {
    this.dir = makeTempDir('writeen-redis-');
    this.port = 20000 + Math.floor(Math.random() * 20000);
  }
  get url() { return `redis://127.0.0.1:${this.port}/0`; }
  start() { execFileSync(REDIS_SCRIPT, ['start', this.dir, String(this.port)], { stdio: ['ignore', 'pipe', 'inherit'] }); }
  stop() { execFileSync(REDIS_SCRIPT, ['stop', this.dir], { stdio: 'inherit' }); }
  remove() { this.stop(); removeDir(this.dir); }
}

/**
 * n nodes on one data directory (shared keys; shared SQLite, or one PostgreSQL database) and one Redis.
 * listenPorts: a fixed port per node (a load balancer in front needs them to survive a restart);
 * by default each start picks any free port.
 */
async function startCluster(n, { presenceTtlS = 3, rateLimit = 100000, extraArgs = [], listenPorts = [] } = {}) {
  const redis = new TestRedis();
  redis.start();
  const dataDir = makeTempDir('writeen-cluster-');
  const secret = newSecret();
  const nodes = [];
  for (let i = 0; i < n; i += 1) {
    const node = new Server({
      dataDir, secret, rateLimit,
      listen: listenPorts[i] ? `127.0.0.1:${listenPorts[i]}` : undefined,
      // The first node creates the PostgreSQL database (and drops it when stopped last).
      postgresDatabase: nodes.length > 0 ? nodes[0].postgresDatabase : undefined,
      extraArgs: ['--bus', 'redis', '--redis-url', redis.url, '--node-id', `node-${i}`,
        '--presence-ttl-s', String(presenceTtlS), ...extraArgs],
    });
    await node.start(); // one after the other: the first creates the schema
    nodes.push(node);
  }
  return {
    redis, nodes, dataDir, secret,
    async stop() {
      for (const node of [...nodes].reverse()) await node.stop(); // the database's owner last
      redis.remove();
      removeDir(dataDir);
    },
  };
}

module.exports = { TestRedis, startCluster };
