// The emoji picker without UI: searching the set by name, and the recently used emoji.
import type { EmojiGroupData } from './emojiData';

export interface EmojiEntry {
  emoji: string;
  name: string;
}

/**
 * Entries whose name has a word starting with every word of the query ("thumbs up" finds
 * "thumbs up"; "hea" finds "red heart" and "smiling face with heart-eyes"), in the set's
 * order, at most `limit`. Names whose first word matches come first.
 */
export function searchEmoji(groups: EmojiGroupData[], query: string, limit = 80): EmojiEntry[] {
  const words = query.toLowerCase().split(/[\s_:]+/).filter(Boolean);
  if (words.length === 0) return [];
  const first: EmojiEntry[] = [];
  const rest: EmojiEntry[] = [];
  for (const g of groups)
    for (const [emoji, name] of g.emoji) {
      const nameWords = name.toLowerCase().split(/[\s\-:,.’'()]+/).filter(Boolean);
      if (!words.every((w) => nameWords.some((n) => n.startsWith(w)))) continue;
      (nameWords[0]!.startsWith(words[0]!) ? first : rest).push({ emoji, name });
    }
  return [...first, ...rest].slice(0, limit);
}

export const maxRecent = 16;

/** The recent list after using `emoji`: it moves to the front, the oldest drops off. */
export function withRecent(recent: string[], emoji: string): string[] {
  return [emoji, ...recent.filter((e) => e !== emoji)].slice(0, maxRecent);
}

const recentKey = 'writeen.recentEmoji';

/** The recent emoji this browser remembers (composer and reactions share them). */
export function loadRecent(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): string[] {
  try {
    const v: unknown = JSON.parse(storage?.getItem(recentKey) ?? '[]');
    return Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string').slice(0, maxRecent) : [];
  } catch {
    return [];
  }
}

export function saveRecent(recent: string[], storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(recentKey, JSON.stringify(recent));
  } catch {
    /* private mode or full storage: the list lives for this page only */
  }
}

/** Inserts `insert` into `text` in place of the selection [start, end); the new caret after it. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}
