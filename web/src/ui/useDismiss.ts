// Closes a popover (a menu, the notification list) on a click outside it or on Escape.
import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

export function useDismiss(open: boolean, close: () => void, ref: RefObject<HTMLElement>): void {
  useEffect(() => {
    if (!open) return;
    const onDoc = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    document.addEventListener('mousedown', onDoc);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDoc);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
}
