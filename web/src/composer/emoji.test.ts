import { describe, expect, it } from 'vitest';
import { emojiGroups } from './emojiData';
import { insertAt, loadRecent, maxRecent, saveRecent, searchEmoji, withRecent } from './emoji';

describe('emoji search', () => {
  it('finds by the start of each word of the name, the name\'s first word first', () => {
    const found = searchEmoji(emojiGroups, 'thumbs');
    expect(found[0]).toEqual({ emoji: '👍', name: 'thumbs up' });
    expect(found.map((e) => e.emoji)).toContain('👎');
    expect(searchEmoji(emojiGroups, 'red hea').map((e) => e.emoji)).toContain('❤️');
    expect(searchEmoji(emojiGroups, 'party').map((e) => e.emoji)).toContain('🎉');
  });

  it('finds nothing for an empty query or a word no name has', () => {
    expect(searchEmoji(emojiGroups, '  ')).toEqual([]);
    expect(searchEmoji(emojiGroups, 'zzzqqq')).toEqual([]);
  });

  it('offers only emoji the server accepts as reactions (one RGI emoji each)', () => {
    const rgi = new RegExp('^\\p{RGI_Emoji}$', 'v');
    for (const g of emojiGroups) for (const [e] of g.emoji) expect(rgi.test(e), e).toBe(true);
  });
});

describe('recent emoji', () => {
  it('moves the used one to the front and keeps at most maxRecent', () => {
    expect(withRecent(['😀', '👍'], '👍')).toEqual(['👍', '😀']);
    let r: string[] = [];
    for (let i = 0; i < maxRecent + 4; i++) r = withRecent(r, String.fromCodePoint(0x1f600 + i));
    expect(r).toHaveLength(maxRecent);
    expect(r[0]).toBe(String.fromCodePoint(0x1f600 + maxRecent + 3));
  });

  it('survives a reload through storage and ignores what is not a list of strings', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveRecent(['🎉', '👍'], storage);
    expect(loadRecent(storage)).toEqual(['🎉', '👍']);
    store.set('writeen.recentEmoji', '{"no":1}');
    expect(loadRecent(storage)).toEqual([]);
    store.set('writeen.recentEmoji', 'not json');
    expect(loadRecent(storage)).toEqual([]);
  });
});

describe('insertAt', () => {
  it('replaces the selection and puts the caret after the insert', () => {
    expect(insertAt('halo dunia', 5, 10, '👋')).toEqual({ text: 'halo 👋', caret: 7 });
    expect(insertAt('', 0, 0, '🎉')).toEqual({ text: '🎉', caret: 2 });
  });
});
