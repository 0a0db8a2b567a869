// A modal dialog on the native <dialog> element: focus is trapped and Escape closes it.
import { Icon } from './Icon';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useT } from './context';

export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useT();
  // The latest onClose, so that a parent passing a new closure on each render does not close
  // and reopen the dialog (which would move the focus out of what the user is typing in).
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (typeof d.showModal === 'function' && !d.open) d.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      closeRef.current();
    };
    d.addEventListener('cancel', onCancel);
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
    };
  }, []);
  const titleId = `dialog-title-${title.replace(/\W+/g, '-')}`;
  return (
    <dialog ref={ref} class={`dialog ${wide ? 'dialog-wide' : ''}`} aria-labelledby={titleId}>
      <header class="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label={t('close')}>
          <Icon name="close" />
        </button>
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
