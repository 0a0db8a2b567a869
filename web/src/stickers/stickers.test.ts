import { describe, expect, it } from 'vitest';
import { en } from '../i18n/strings';
import { parseContent } from '../protocol/parse';
import { stickerById, stickers } from './stickers';

describe('stickers', () => {
  it('reads content.sticker as the server sends it (the id string), and an object with an id', () => {
    expect(parseContent({ sticker: 'writeen/thanks-owl' })).toEqual({ sticker: 'writeen/thanks-owl' });
    expect(parseContent({ sticker: { id: 'writeen/graduation' } })).toEqual({ sticker: 'writeen/graduation' });
    expect(parseContent({ sticker: 42 }).sticker).toBeUndefined();
  });

  it('has ids the server accepts (1..128 bytes), each unique and named', () => {
    const ids = stickers.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of stickers) {
      expect(new TextEncoder().encode(s.id).length).toBeLessThanOrEqual(128);
      expect(en[s.label]).toBeTruthy();
      expect(stickerById(s.id)).toBe(s);
    }
    expect(stickerById('someone-else/cat')).toBeUndefined();
  });
});
