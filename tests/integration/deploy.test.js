'use strict';
// deploy/: the systemd unit, the nginx site (checked, then run in front of a real server), the
// Prometheus configuration and alerts, and the Grafana dashboard against a real /metrics.

const { describe, it, after, before } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');
const { BINARY, REPO_ROOT, startServer, makeTempDir, removeDir } = require('./lib/server');
const { call, ok, registerUser, createConversation, sendRest, sleep } = require('./lib/http');
const { WsClient, closeAll } = require('./lib/ws');

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const read = (name) => fs.readFileSync(path.join(DEPLOY, name), 'utf8');

/** Runs a checker; it must exist (scripts/install-deps.sh test installs it) and succeed quietly. */
function check(command, args, { quiet = false } = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30000 });
  assert.ok(!r.error, `${command} could not run (${r.error?.code}); scripts/install-deps.sh test installs it`);
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  // systemd-analyze reports bad lines ("Unknown key", "Failed to parse") but still exits 0.
  if (quiet) assert.equal(r.stderr.trim(), '', `${command} complained:\n${r.stderr}`);
  return r;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** An nginx.conf around the site file, with every path nginx writes inside dir. */
function nginxMain(dir, sitePath) {
  return [
    `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log warn;`, 'daemon off;', 'events {}', 'http {',
    '  access_log off;', `  client_body_temp_path ${dir}/body;`, `  proxy_temp_path ${dir}/proxy;`,
    `  include ${sitePath};`, '}', ''].join('\n');
}

/** Runs deploy/nginx.conf as shipped in front of one upstream port; resolves once it answers. */
async function startNginx(dir, upstreamPort, secret) {
  const port = await freePort();
  const site = read('nginx.conf')
    .replace('server 127.0.0.1:8080 ', `server 127.0.0.1:${upstreamPort} `)
    .replace(/listen \[::\]:80;\n/, '')
    .replace('listen 80;', `listen 127.0.0.1:${port};`);
  assert.ok(site.includes(`127.0.0.1:${port}`) && site.includes(`127.0.0.1:${upstreamPort}`));
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxMain(dir, path.join(dir, 'site.conf')));
  const nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr.on('data', (c) => { stderr += c; });
  const proxy = { baseUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, secret, port };
  for (let i = 0; ; i += 1) {
    try { await fetch(`${proxy.baseUrl}/healthz`); break; } catch (e) {
      if (i > 100 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
      await sleep(50);
    }
  }
  return { nginx, proxy };
}

async function stopNginx(nginx) {
  if (nginx && nginx.exitCode === null) {
    nginx.kill('SIGTERM');
    await new Promise((r) => nginx.once('close', r));
  }
}

/** Every writeen_* series name a query text uses, without the histogram suffixes. */
function metricNames(text) {
  const names = new Set();
  for (const m of text.matchAll(/\bwriteen_[a-z0-9_]+/g)) names.add(m[0]);
  return names;
}

describe('deploy/', () => {
  const dirs = [];
  const tempDir = () => { const d = makeTempDir('writeen-deploy-'); dirs.push(d); return d; };
  const servers = [];
  after(async () => {
    for (const s of servers) await s.stop();
    for (const d of dirs) removeDir(d);
  });

  it('the systemd unit passes systemd-analyze verify and has the hardening of docs/OPERATIONS.md', () => {
    const unit = read('writeen-chat.service');
    for (const line of ['DynamicUser=yes', 'StateDirectory=writeen-chat', 'ProtectSystem=strict', 'ProtectHome=yes',
      'PrivateTmp=yes', 'NoNewPrivileges=yes', 'LimitNOFILE=1048576', 'CapabilityBoundingSet=\n',
      'RestrictAddressFamilies=', 'SystemCallFilter=@system-service']) {
      assert.ok(unit.includes(line), `the unit sets ${line.trim()}`);
    }
    // verify wants ExecStart to exist: point it at the binary just built.
    const dir = tempDir();
    const copy = path.join(dir, 'writeen-chat.service');
    fs.writeFileSync(copy, unit.replace(/^ExecStart=\S+/m, `ExecStart=${BINARY}`));
    check('systemd-analyze', ['verify', copy], { quiet: true });
  });

  it('the nginx site passes nginx -t', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxMain(dir, path.join(DEPLOY, 'nginx.conf')));
    check('nginx', ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  });

  it('the Prometheus configuration and its alert rules pass promtool', () => {
    check('promtool', ['check', 'config', path.join(DEPLOY, 'prometheus', 'prometheus.yml')]);
    check('promtool', ['check', 'rules', path.join(DEPLOY, 'prometheus', 'alerts.yml')]);
  });

  it('every metric the alerts and the dashboard use is in a real /metrics answer', async () => {
    const server = await startServer();
    servers.push(server);
    const res = await call(server, 'GET', '/metrics');
    assert.equal(res.status, 200);
    const exposed = new Set();
    for (const line of res.text.split('\n')) {
      const m = /^(writeen_[a-z0-9_]+)[{ ]/.exec(line);
      if (m) exposed.add(m[1]);
    }
    const dashboard = JSON.parse(read(path.join('grafana', 'writeen-chat.json')));
    const exprs = JSON.stringify(dashboard.panels.flatMap((p) => (p.targets || []).map((t) => t.expr)));
    const used = new Set([...metricNames(read(path.join('prometheus', 'alerts.yml'))), ...metricNames(exprs)]);
    assert.ok(used.size >= 8, `the alerts and dashboard use the metrics (${[...used]})`);
    for (const name of used) assert.ok(exposed.has(name), `${name} is not in /metrics:\n${[...exposed].join('\n')}`);
    assert.ok(dashboard.panels.length >= 6 && dashboard.title, 'a dashboard with panels');
  });

  describe('nginx in front of a real server', () => {
    let server;
    let proxy;
    let nginx;
    const sockets = [];
    before(async () => {
      server = await startServer();
      servers.push(server);
      ({ nginx, proxy } = await startNginx(tempDir(), server.port, server.secret));
    });
    after(async () => {
      await closeAll(sockets);
      await stopNginx(nginx);
    });

    it('REST, an upload and WebSocket delivery work through it, with a request id from nginx', async () => {
      const a = await registerUser(proxy);
      const b = await registerUser(proxy, { role: 'tutor' });
      const conv = await createConversation(proxy, a, { type: 'direct', participantIds: [b.id] });
      const ws = await WsClient.connect(proxy, { token: b.token, label: 'b via nginx' });
      sockets.push(ws);
      const res = await call(proxy, 'GET', `/api/conversations/${conv.id}`, { token: a.token });
      ok(res);
      assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/, 'nginx\'s $request_id reached the server and came back');
      const sent = await sendRest(proxy, a, conv.id, 'through the proxy');
      await ws.waitForEvent('message_received', (d) => d.message?.id === sent.id || d.id === sent.id);

      const boundary = `----writeen${crypto.randomBytes(8).toString('hex')}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n`
          + 'Content-Type: text/plain\r\n\r\n'),
        Buffer.alloc(3 * 1024 * 1024, 'a'), Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const up = await call(proxy, 'POST', `/api/conversations/${conv.id}/upload`, {
        token: a.token, body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      assert.equal(ok(up, 201).message.content.fileInfo.fileSize, 3 * 1024 * 1024, 'a 3 MiB upload (over nginx\'s 1 MiB default) passes');
    });

    it('the site keeps the WebSocket tunnel open longer than the server\'s 60 s drop', () => {
      const site = read('nginx.conf');
      const ws = /location \/ws \{([\s\S]*?)\n    \}/.exec(site)[1];
      const seconds = Number(/proxy_read_timeout (\d+)s;/.exec(ws)[1]);
      assert.ok(seconds > 60, `proxy_read_timeout ${seconds}s on /ws`);
      assert.match(ws, /proxy_set_header Upgrade \$http_upgrade;/);
      // A location with its own proxy_set_header inherits none of the server's: each must set all.
      // Named locations (@...) answer from nginx itself and proxy nothing.
      for (const location of site.split(/\n    location /).slice(1).filter((l) => !l.startsWith('@'))) {
        for (const header of ['Host $host', 'X-Request-Id $request_id', 'X-Forwarded-For']) {
          assert.ok(location.includes(`proxy_set_header ${header}`), `location ${location.split(' ')[0]} sets ${header}`);
        }
      }
      assert.match(site, /proxy_request_buffering off;/);
      assert.doesNotMatch(site, /^\s*(ip_hash|sticky|hash)\b/m, 'no sticky sessions');
    });
  });

  describe('nginx with no node reachable', () => {
    let nginx;
    let proxy;
    before(async () => {
      // A port nothing listens on: every request is nginx's own 502.
      ({ nginx, proxy } = await startNginx(tempDir(), await freePort(), ''));
    });
    after(() => stopNginx(nginx));

    it('answers 503 unavailable in the API\'s JSON envelope with Retry-After, not an HTML page', async () => {
      for (const [method, route] of [['GET', '/api/conversations'], ['POST', '/api/conversations'], ['GET', '/readyz']]) {
        const res = await fetch(`${proxy.baseUrl}${route}`, {
          method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined,
        });
        assert.equal(res.status, 503, `${method} ${route}`);
        assert.match(res.headers.get('content-type'), /^application\/json/);
        assert.ok(Number(res.headers.get('retry-after')) > 0, 'Retry-After set');
        const body = await res.json();
        assert.equal(body.success, false);
        assert.equal(body.error.code, 'unavailable');
      }
      // fetch() refuses Upgrade headers: a plain node:http request carries them.
      const upgrade = await new Promise((resolve, reject) => {
        const req = http.get(`${proxy.baseUrl}/ws`, {
          headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': crypto.randomBytes(16).toString('base64') },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode, text }));
        });
        req.on('upgrade', () => reject(new Error('upgraded with no node behind nginx')));
        req.on('error', reject);
      });
      assert.equal(upgrade.status, 503, 'a WebSocket upgrade with no node gets the same answer');
      assert.equal(JSON.parse(upgrade.text).error.code, 'unavailable');
    });
  });
});
