import { describe, expect, it } from 'vitest';
import { initialLanguage, pickLanguage, translate } from './index';
import { en, id } from './strings';
import type { StringKey } from './strings';

describe('i18n', () => {
  it('picks Indonesian for id, id-ID and the legacy "in", else English', () => {
    expect(pickLanguage(['id-ID', 'en-US'])).toBe('id');
    expect(pickLanguage(['in'])).toBe('id');
    expect(pickLanguage(['en-US', 'id'])).toBe('en');
    expect(pickLanguage(['fr-FR', 'id'])).toBe('id');
    expect(pickLanguage(['fr-FR'])).toBe('en');
    expect(pickLanguage([])).toBe('en');
  });
  it('prefers a remembered choice over the browser language', () => {
    expect(initialLanguage({ getItem: () => 'en' }, { languages: ['id-ID'] })).toBe('en');
    expect(initialLanguage({ getItem: () => 'xx' }, { languages: ['id-ID'] })).toBe('id');
    expect(initialLanguage(null, { language: 'id' })).toBe('id');
    expect(
      initialLanguage(
        {
          getItem: () => {
            throw new Error('blocked');
          },
        },
        { languages: ['id'] },
      ),
    ).toBe('id');
  });
  it('falls back to English for a key Indonesian lacks, and to the key when both lack it', () => {
    const tables = { en: { send: 'Send' }, id: { cancel: 'Batal' } };
    expect(translate('id', 'send', undefined, tables)).toBe('Send');
    expect(translate('id', 'cancel', undefined, tables)).toBe('Batal');
    expect(translate('id', 'close', undefined, tables)).toBe('close');
    expect(translate('en', 'cancel', undefined, tables)).toBe('cancel');
  });
  it('uses the real tables: every key has English words', () => {
    for (const key of Object.keys(en) as StringKey[]) expect(translate('id', key)).not.toBe(key);
  });
  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('id', 'typingOne', { name: 'Budi' })).toBe('Budi sedang mengetik…');
    expect(translate('en', 'typingTwo', { a: 'Ayu' })).toBe('Ayu and {b} are typing…');
  });
  it('has Indonesian words for nearly every key', () => {
    const keys = Object.keys(en);
    const translated = keys.filter((k) => k in id);
    expect(translated.length / keys.length).toBeGreaterThan(0.95);
  });
});
