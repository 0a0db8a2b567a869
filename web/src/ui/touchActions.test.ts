// @vitest-environment happy-dom
import { h, render } from 'preact';
import { useRef } from 'preact/hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hoverless, longPressMs, tapOpensActions, useTouchActions } from './touchActions';

function Bubble() {
  const ref = useRef<HTMLDivElement>(null);
  const touch = useTouchActions(ref);
  return h('div', { ref, class: touch.open ? 'bubble is-acting' : 'bubble', ...touch.handlers }, h('p', { class: 'text' }, 'Halo'), h('a', { href: '#x' }, 'link'));
}

function mount(): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  render(h(Bubble, null), root);
  return root;
}

const media = (matches: boolean) => vi.spyOn(window, 'matchMedia').mockImplementation((q: string) => ({ matches: matches && q === '(hover: none)', media: q }) as MediaQueryList);
// Preact runs effects after the next frame (at the latest ~35 ms).
const tick = () => new Promise((r) => setTimeout(r, 50));

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('touch actions', () => {
  it('leaves a tap on a link, button or the action bar to that control', () => {
    const bubble = document.createElement('div');
    bubble.innerHTML = '<p>t</p><a href="#">l</a><div class="message-actions"><span>x</span></div>';
    expect(tapOpensActions(bubble.querySelector('p'))).toBe(true);
    expect(tapOpensActions(bubble.querySelector('a'))).toBe(false);
    expect(tapOpensActions(bubble.querySelector('.message-actions span'))).toBe(false);
    expect(tapOpensActions(null)).toBe(true);
  });

  it('knows a screen without hover', () => {
    expect(hoverless({ matchMedia: (q: string) => ({ matches: q === '(hover: none)' }) as MediaQueryList })).toBe(true);
    expect(hoverless({ matchMedia: () => ({ matches: false }) as unknown as MediaQueryList })).toBe(false);
  });

  it('on a touch screen a tap toggles the bar and a tap elsewhere closes it; with a mouse a click does nothing', async () => {
    media(true);
    const root = mount();
    const text = root.querySelector('.text') as HTMLElement;
    const bubble = () => root.querySelector('.bubble')!;
    text.click();
    await tick();
    expect(bubble().classList.contains('is-acting')).toBe(true);
    text.click();
    await tick();
    expect(bubble().classList.contains('is-acting')).toBe(false);
    text.click();
    await tick();
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    await tick();
    expect(bubble().classList.contains('is-acting')).toBe(false);
    (root.querySelector('a') as HTMLElement).click();
    await tick();
    expect(bubble().classList.contains('is-acting')).toBe(false);

    vi.restoreAllMocks();
    media(false);
    text.click();
    await tick();
    expect(bubble().classList.contains('is-acting')).toBe(false);
  });

  it('opens on a long press, stays open through the click that ends it, and not when the finger moves', async () => {
    media(true);
    const root = mount();
    const text = root.querySelector('.text') as HTMLElement;
    const bubble = () => root.querySelector('.bubble')!;
    vi.useFakeTimers();
    text.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, pointerType: 'touch', clientX: 10, clientY: 10 }));
    vi.advanceTimersByTime(longPressMs + 10);
    await vi.runAllTimersAsync();
    expect(bubble().classList.contains('is-acting')).toBe(true);
    text.dispatchEvent(new PointerEvent('pointerup', { bubbles: true, pointerType: 'touch' }));
    text.click();
    await vi.runAllTimersAsync();
    expect(bubble().classList.contains('is-acting')).toBe(true);

    text.click();
    await vi.runAllTimersAsync();
    expect(bubble().classList.contains('is-acting')).toBe(false);
    text.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, pointerType: 'touch', clientX: 10, clientY: 10 }));
    text.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, pointerType: 'touch', clientX: 10, clientY: 40 }));
    vi.advanceTimersByTime(longPressMs + 10);
    await vi.runAllTimersAsync();
    expect(bubble().classList.contains('is-acting')).toBe(false);
  });
});
