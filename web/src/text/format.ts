// Dates, sizes and names as the UI shows them, in the interface language.
import type { Lang } from '../protocol';

const locale = (lang: Lang) => (lang === 'id' ? 'id-ID' : 'en-GB');

/** Local calendar day of a timestamp, "YYYY-MM-DD": day separators group by it. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${mm}-${dd}`;
}

export function formatTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(locale(lang), { hour: '2-digit', minute: '2-digit' });
}

export function formatDateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(locale(lang), { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "Today", "Yesterday" or the date, for day separators. */
export function formatDay(iso: string, lang: Lang, now: Date, words: { today: string; yesterday: string }): string {
  const key = dayKey(iso);
  if (key === dayKey(now.toISOString())) return words.today;
  const y = new Date(now);
  y.setDate(y.getDate() - 1);
  if (key === dayKey(y.toISOString())) return words.yesterday;
  const d = new Date(iso);
  const sameYear = d.getFullYear() === now.getFullYear();
  return d.toLocaleDateString(locale(lang), { weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** Short time for the list: the time today, else the date. */
export function formatListTime(iso: string, lang: Lang, now: Date): string {
  if (!iso) return '';
  if (dayKey(iso) === dayKey(now.toISOString())) return formatTime(iso, lang);
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleDateString(locale(lang), { day: 'numeric', month: 'short' });
}

export function formatFileSize(bytes: number, lang: Lang): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const n = i === 0 ? String(Math.round(v)) : v.toLocaleString(locale(lang), { maximumFractionDigits: 1 });
  return `${n} ${units[i]}`;
}

/** Up to two initials for an avatar: "Dr. Budi Santoso" → "BS", "Ayu Lestari" → "AL". */
export function initials(name: string): string {
  const titles = new Set(['dr', 'dr.', 'prof', 'prof.', 'ir', 'ir.', 'drs', 'drs.', 'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.']);
  const words = name
    .trim()
    .split(/\s+/)
    .filter((w) => w && !titles.has(w.toLowerCase()));
  if (words.length === 0) return '?';
  const first = Array.from(words[0]!)[0] ?? '';
  const last = words.length > 1 ? Array.from(words[words.length - 1]!)[0] ?? '' : '';
  return (first + last).toUpperCase();
}

/** A stable hue for a user's avatar circle. */
export function hueOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) % 360;
  return h;
}
