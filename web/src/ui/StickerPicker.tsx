// The project's stickers next to the composer: one press sends one. Escape or a click outside
// closes it; arrows move between stickers.
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { stickers } from '../stickers/stickers';
import { useT } from './context';

export function StickerPicker({ onPick, onClose, opener }: { onPick: (id: string) => void; onClose: () => void; opener?: RefObject<HTMLElement> }) {
  const { t } = useT();
  const root = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    root.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDoc = (e: MouseEvent) => {
      const target = e.target as Node;
      if (root.current?.contains(target) || opener?.current?.contains(target)) return;
      closeRef.current();
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [opener]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    const d = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const all = Array.from(root.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    all[(i + d + all.length) % all.length]?.focus();
  };
  return (
    <div ref={root} class="sticker-picker" role="dialog" aria-label={t('stickers')} onKeyDown={onKey}>
      {stickers.map((s) => (
        <button key={s.id} type="button" class="sticker-option" aria-label={t('sendSticker', { name: t(s.label) })} title={t(s.label)} onClick={() => onPick(s.id)}>
          <img src={s.url} alt="" width={64} height={64} />
        </button>
      ))}
    </div>
  );
}
