// Splits message text into plain text and links. Only http(s) URLs become links; everything
// else (javascript:, data:, HTML) stays text and is rendered as text nodes by the UI.

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const candidate = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const trailing = /[.,;:!?*]+$/;

function trimUrl(raw: string): string {
  let s = raw.replace(trailing, '');
  // Drop closing brackets that do not close one opened inside the URL: "(see https://x.org/a)".
  const pairs: Array<[string, string]> = [['(', ')'], ['[', ']'], ['{', '}']];
  let changed = true;
  while (changed) {
    changed = false;
    for (const [open, close] of pairs) {
      if (s.endsWith(close) && s.split(open).length < s.split(close).length) {
        s = s.slice(0, -1).replace(trailing, '');
        changed = true;
      }
    }
  }
  return s;
}

/** The URL a link may point to, or null: only absolute http: and https: URLs with a host. */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(candidate)) {
    const start = m.index ?? 0;
    const url = trimUrl(m[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

export interface HighlightPart {
  text: string;
  match: boolean;
}

/** Splits a search fragment by [start, length] ranges in UTF-16 code units (JS string indices). */
export function highlightParts(fragment: string, matches: ReadonlyArray<readonly [number, number]>): HighlightPart[] {
  const ranges = matches
    .filter(([s, l]) => Number.isInteger(s) && Number.isInteger(l) && l > 0 && s >= 0 && s < fragment.length)
    .map(([s, l]) => [s, Math.min(fragment.length, s + l)] as const)
    .sort((a, b) => a[0] - b[0]);
  const parts: HighlightPart[] = [];
  let pos = 0;
  for (const [s, e] of ranges) {
    if (e <= pos) continue;
    const from = Math.max(s, pos);
    if (from > pos) parts.push({ text: fragment.slice(pos, from), match: false });
    parts.push({ text: fragment.slice(from, e), match: true });
    pos = e;
  }
  if (pos < fragment.length) parts.push({ text: fragment.slice(pos), match: false });
  return parts;
}
