import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonicalJson';

describe('canonicalJson', () => {
  it('sorts members by UTF-16 code units, recursively, with no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
    // U+20AC (€) sorts before U+1F600 (😀, D83D…) by code units, though after it by code points.
    expect(canonicalJson({ '😀': 1, '€': 2, '\r': 3, '1': 4 })).toBe('{"\\r":3,"1":4,"€":2,"😀":1}');
  });

  it('prints numbers as ECMAScript does (the RFC 8785 examples)', () => {
    expect(canonicalJson([4.0, 0.3, 1e21, 1e-7, -0, 333333333.3333333, 100])).toBe('[4,0.3,1e+21,1e-7,0,333333333.3333333,100]');
  });

  it('escapes only quotes, backslashes and control characters', () => {
    expect(canonicalJson('a"b\\c\n\u0001\u007f\u2028é')).toBe('"a\\"b\\\\c\\n\\u0001\u007f\u2028é"');
  });
});
