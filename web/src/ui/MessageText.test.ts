// @vitest-environment happy-dom
import { h, render } from 'preact';
import { describe, expect, it } from 'vitest';
import { MessageText } from './MessageText';

function rendered(text: string): HTMLElement {
  const root = document.createElement('div');
  render(h(MessageText, { text }), root);
  return root;
}

describe('MessageText', () => {
  it('shows HTML literally, as text nodes, never as elements', () => {
    const text = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>bold</b>';
    const root = rendered(text);
    expect(root.querySelector('img, script, b')).toBeNull();
    expect(root.textContent).toBe(text);
    expect(root.innerHTML).toContain('&lt;script&gt;');
  });

  it('makes http(s) links clickable in a new tab without opener or referrer', () => {
    const root = rendered('Draf: https://example.org/bab-2.pdf — dan javascript:alert(1)');
    const anchors = root.querySelectorAll('a');
    expect(anchors).toHaveLength(1);
    const a = anchors[0]!;
    expect(a.getAttribute('href')).toBe('https://example.org/bab-2.pdf');
    expect(a.getAttribute('target')).toBe('_blank');
    expect(a.getAttribute('rel')?.split(' ')).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));
    expect(root.textContent).toBe('Draf: https://example.org/bab-2.pdf — dan javascript:alert(1)');
  });

  it('keeps line breaks and spaces as typed (the CSS shows them)', () => {
    const root = rendered('baris satu\nbaris  dua');
    expect(root.textContent).toBe('baris satu\nbaris  dua');
  });
});
