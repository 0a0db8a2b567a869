// Message actions on a touch screen (issue 15): there is no hover there, so a tap on a bubble
// opens its action bar and another tap (on it or anywhere else) closes it; a long press opens
// it too, as phone chat apps do, instead of the browser's context menu. The mouse and the
// keyboard keep hover and focus (messages.css); screen readers reach the buttons, which never
// leave the DOM.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const longPressMs = 500;
/** A finger that moves this far (CSS px) is scrolling, not pressing. */
const slopPx = 10;

/** True on a device whose main pointer cannot hover (a phone, a tablet). */
export function hoverless(win: Pick<Window, 'matchMedia'> = window): boolean {
  return typeof win.matchMedia === 'function' && win.matchMedia('(hover: none)').matches;
}

/** Whether a tap on `target` inside a bubble is for the bubble, not for a control of its own. */
export function tapOpensActions(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return true;
  return (target as Element).closest('a, button, input, textarea, select, summary, label, video, audio, [role="button"], .message-actions') === null;
}

export interface TouchActions {
  open: boolean;
  close: () => void;
  handlers: {
    onClick: (e: MouseEvent) => void;
    onPointerDown: (e: PointerEvent) => void;
    onPointerMove: (e: PointerEvent) => void;
    onPointerUp: () => void;
    onPointerCancel: () => void;
    onContextMenu: (e: MouseEvent) => void;
  };
}

export function useTouchActions(bubble: RefObject<HTMLElement>): TouchActions {
  const [open, setOpen] = useState(false);
  const press = useRef<{ timer: ReturnType<typeof setTimeout>; x: number; y: number } | null>(null);
  // A long press opened the bar: the click that ends it is not a second tap.
  const longPressed = useRef(false);

  const cancelPress = () => {
    if (press.current) clearTimeout(press.current.timer);
    press.current = null;
  };
  useEffect(() => cancelPress, []);

  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      if (!bubble.current?.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', outside, true);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      document.removeEventListener('keydown', escape);
    };
  }, [open, bubble]);

  return {
    open,
    close: () => setOpen(false),
    handlers: {
      onPointerDown: (e) => {
        if (e.pointerType !== 'touch' || !tapOpensActions(e.target)) return;
        cancelPress();
        longPressed.current = false;
        press.current = {
          x: e.clientX,
          y: e.clientY,
          timer: setTimeout(() => {
            press.current = null;
            longPressed.current = true;
            setOpen(true);
          }, longPressMs),
        };
      },
      onPointerMove: (e) => {
        const p = press.current;
        if (p && Math.hypot(e.clientX - p.x, e.clientY - p.y) > slopPx) cancelPress();
      },
      onPointerUp: cancelPress,
      // The browser took the touch for a scroll.
      onPointerCancel: cancelPress,
      onContextMenu: (e) => {
        if (hoverless() && tapOpensActions(e.target)) e.preventDefault();
      },
      onClick: (e) => {
        if (longPressed.current) {
          longPressed.current = false;
          return;
        }
        if (!hoverless() || !tapOpensActions(e.target)) return;
        setOpen((o) => !o);
      },
    },
  };
}
