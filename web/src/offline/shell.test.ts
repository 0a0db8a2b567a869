import { describe, expect, it } from 'vitest';
import { assetsOf, strategyFor } from './shell';

const origin = 'https://chat.example';
const req = (path: string, mode = 'no-cors', method = 'GET') => ({ url: `${origin}${path}`, mode, method });

describe('app shell cache', () => {
  it('answers pages, the manifest and icons network-first and assets cache-first', () => {
    expect(strategyFor(req('/', 'navigate'), origin)).toBe('fresh');
    expect(strategyFor(req('/?x=1', 'navigate'), origin)).toBe('fresh');
    expect(strategyFor(req('/manifest.webmanifest'), origin)).toBe('fresh');
    expect(strategyFor(req('/assets/main-abc.js'), origin)).toBe('asset');
  });
  it('never touches the API, the socket, the worker itself, other origins or writes', () => {
    expect(strategyFor(req('/api/conversations', 'cors'), origin)).toBe('none');
    expect(strategyFor(req('/api/files/f/download', 'navigate'), origin)).toBe('none');
    expect(strategyFor(req('/ws'), origin)).toBe('none');
    expect(strategyFor(req('/sw.js'), origin)).toBe('none');
    expect(strategyFor({ url: 'https://other.example/assets/a.js', mode: 'no-cors', method: 'GET' }, origin)).toBe('none');
    expect(strategyFor(req('/assets/a.js', 'cors', 'POST'), origin)).toBe('none');
    expect(strategyFor(req('/favicon.ico'), origin)).toBe('none');
  });
  it('finds the assets a built page links', () => {
    const html = `<script type="module" crossorigin src="/assets/main-AbC.js"></script>
      <link rel="modulepreload" href="/assets/emojiData-x1.js"><link rel="stylesheet" href='/assets/main-Z.css'>
      <link rel="icon" href="/src/favicon.svg"><a href="https://cdn.example/assets/x.js">`;
    expect(assetsOf(html)).toEqual(['/assets/main-AbC.js', '/assets/emojiData-x1.js', '/assets/main-Z.css']);
  });
});
