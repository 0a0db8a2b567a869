// `npm test`: runs Vitest with its usual report (failures in full), then ends with one line CI
// reads, "N passed, N failed" (", N skipped" when some were), from Vitest's JSON reporter.
// The exit status is Vitest's; a run that failed without a failed test counts its failed files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'writeen-vitest-'));
const out = join(dir, 'results.json');
const bin = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [bin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let status = run.status ?? 1;
let results = null;
try {
  results = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  results = null;
}
rmSync(dir, { recursive: true, force: true });

if (!results) {
  console.log(`vitest: no results (exit ${run.status ?? run.signal})`);
  process.exit(status === 0 ? 1 : status);
}
const passed = results.numPassedTests ?? 0;
let failed = results.numFailedTests ?? 0;
if (status !== 0 && failed === 0) failed = Math.max(1, results.numFailedTestSuites ?? 0);
if (status === 0 && (failed > 0 || results.success === false)) status = 1;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(status);
