'use strict';
// A read-only data directory (docs/SECURITY.md): at start the server refuses with a clear
// message and exit code 1. Needs root to mount the tmpfs; skipped otherwise. (A read-only
// remount while the server runs is refused by the kernel with EBUSY while SQLite holds its
// files open for writing, so that case is not tested here.)

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { runBinary, makeTempDir, removeDir, newSecret } = require('./lib/server');

/** Mounts a tmpfs on a fresh directory; null when mounting is not permitted. */
function mountTmpfs() {
  const dir = makeTempDir('writeen-ro-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    removeDir(dir);
    return null;
  }
}
const remount = (dir, mode) => execFileSync('mount', ['-o', `remount,${mode}`, dir]);

const probe = mountTmpfs();
if (probe) { execFileSync('umount', [probe]); removeDir(probe); }

describe('read-only data directory', { skip: probe ? false : 'mounting a tmpfs needs root' }, () => {
  let dir;

  before(() => { dir = mountTmpfs(); });
  after(() => {
    if (dir) {
      try { remount(dir, 'rw'); execFileSync('umount', [dir]); } catch { /* left for the OS */ }
      removeDir(dir);
    }
  });

  it('refuses to start on a read-only data directory, saying so', async () => {
    const data = path.join(dir, 'start');
    fs.mkdirSync(data);
    remount(dir, 'ro');
    try {
      const res = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', data, '--jwt-secret', newSecret()]);
      assert.equal(res.code, 1, `exit code ${res.code}: ${res.stderr}`);
      assert.match(res.stderr, /not writable/, res.stderr);
      assert.ok(res.stderr.includes(data), `the message names the directory: ${res.stderr}`);
    } finally {
      remount(dir, 'rw');
    }
  });
});
