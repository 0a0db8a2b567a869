// axe-core (the accessibility engine, from npm) run inside a page: the serious and critical
// violations of WCAG 2.x A/AA and best-practice rules, as lines a failing assertion can print.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail a test; "minor" and "moderate" are reported by axe but tolerated. */
const failing = new Set(['serious', 'critical']);

/**
 * The serious and critical violations on `page` (optionally only inside `selector`), one line
 * per rule and element: "rule (impact): target — summary".
 */
export async function accessibilityProblems(page, { selector } = {}) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  // Evaluated over the DevTools protocol: the page's CSP (script-src 'self') refuses an inline
  // <script>, and rightly so; this is not the page running it.
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (sel) => {
    const result = await window.axe.run(sel ? { include: [sel] } : document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
    }));
  }, selector ?? null);
  return violations
    .filter((v) => failing.has(v.impact))
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target} — ${v.help}; ${n.summary.replace(/\s+/g, ' ')}`));
}
