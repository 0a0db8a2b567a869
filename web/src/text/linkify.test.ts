import { describe, expect, it } from 'vitest';
import { highlightParts, linkify, safeHref } from './linkify';

const links = (text: string) => linkify(text).filter((p) => p.kind === 'link');

describe('linkify', () => {
  it('links http and https URLs and keeps the rest as text', () => {
    expect(linkify('Lihat https://scholar.google.com/ ya')).toEqual([
      { kind: 'text', text: 'Lihat ' },
      { kind: 'link', text: 'https://scholar.google.com/', href: 'https://scholar.google.com/' },
      { kind: 'text', text: ' ya' },
    ]);
    expect(links('HTTP://Example.org/a?b=1#c')).toEqual([{ kind: 'link', text: 'HTTP://Example.org/a?b=1#c', href: 'http://example.org/a?b=1#c' }]);
  });

  it('leaves trailing punctuation and unbalanced brackets out of the link', () => {
    expect(links('See https://example.org/paper.')[0]!.text).toBe('https://example.org/paper');
    expect(links('(see https://example.org/a_(b))')[0]!.text).toBe('https://example.org/a_(b)');
    expect(links('(see https://example.org/x)!')[0]!.text).toBe('https://example.org/x');
    expect(links('Done: https://example.org/x, then?')[0]!.text).toBe('https://example.org/x');
  });

  it('never links javascript:, data: or other schemes', () => {
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox', 'file:///etc/passwd', 'ftp://example.org/']) {
      expect(links(bad)).toEqual([]);
      expect(linkify(bad).map((p) => p.text).join('')).toBe(bad);
    }
  });

  it('does not let a javascript: URL smuggle itself through an http one', () => {
    const text = "javascript:alert('https://evil.example')";
    const l = links(text);
    expect(l.map((p) => p.kind === 'link' && p.href)).toEqual(['https://evil.example/']);
    expect(linkify(text).map((p) => p.text).join('')).toBe(text);
  });

  it('keeps HTML as literal text', () => {
    const text = '<img src=x onerror=alert(1)><a href="javascript:alert(1)">klik</a>';
    expect(linkify(text)).toEqual([{ kind: 'text', text }]);
  });

  it('refuses URLs without a host', () => {
    expect(safeHref('http://')).toBeNull();
    expect(safeHref('https:///path')).toBe('https://path/');
    expect(links('http:// nothing')).toEqual([]);
  });

  it('loses no character of the message', () => {
    const text = 'a https://x.org/1. b http://y.org/(2) c https://z.org';
    expect(linkify(text).map((p) => p.text).join('')).toBe(text);
  });
});

describe('highlightParts', () => {
  it('marks [start, length] ranges in UTF-16 code units', () => {
    expect(highlightParts('Bab 2: tinjauan pustaka', [[16, 7]])).toEqual([
      { text: 'Bab 2: tinjauan ', match: false },
      { text: 'pustaka', match: true },
    ]);
  });
  it('counts an emoji as two code units, as the server does', () => {
    const fragment = '👍 skripsi';
    expect(highlightParts(fragment, [[3, 7]])).toEqual([
      { text: '👍 ', match: false },
      { text: 'skripsi', match: true },
    ]);
  });
  it('ignores ranges that are out of bounds or overlap', () => {
    expect(highlightParts('abcdef', [[4, 10], [1, 2], [2, 1], [99, 1], [-1, 2]])).toEqual([
      { text: 'a', match: false },
      { text: 'bc', match: true },
      { text: 'd', match: false },
      { text: 'ef', match: true },
    ]);
  });
});
