// Writing a message: Enter sends, Shift+Enter is a new line, typing is announced (throttled),
// files come from the attach button or a paste. Also edits a message and answers a reply.
import { Icon } from './Icon';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Message } from '../protocol';
import { ChatError } from '../protocol';
import { acceptAttribute } from '../net/files';
import { TypingThrottle } from '../net/typing';
import { canUpload, canWrite } from '../state';
import { formatFileSize } from '../text/format';
import { previewText } from '../app/notify';
import { insertAt } from '../composer/emoji';
import { useChat, useClient, useT } from './context';
import { EmojiPicker } from './EmojiPicker';
import { StickerPicker } from './StickerPicker';
import { takePendingShare } from '../offline/share';

const drafts = new Map<string, string>();

export function Composer({
  conversationId,
  replyTo,
  editing,
  onCancelReply,
  onCancelEdit,
  onFiles,
  onEditLast,
  fixedReplyTo,
  idSuffix = '',
}: {
  conversationId: string;
  replyTo: Message | null;
  editing: Message | null;
  onCancelReply: () => void;
  onCancelEdit: () => void;
  onFiles: (files: File[]) => void;
  /** ArrowUp in the empty composer: edit the user's last message (absent: nothing to edit). */
  onEditLast?: () => void;
  /** In a thread every message answers its root. */
  fixedReplyTo?: string;
  idSuffix?: string;
}) {
  const client = useClient();
  const tr = useT();
  const { t, error } = tr;
  const me = useChat((s) => s.me);
  const offlineCopy = useChat((s) => s.offlineCopy === true);
  const conv = useChat((s) => s.conversations[conversationId]);
  const draftKey = fixedReplyTo ? `${conversationId}:${fixedReplyTo}` : conversationId;
  const [text, setText] = useState(() => drafts.get(draftKey) ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const throttle = useMemo(() => new TypingThrottle((isTyping) => client.typing(conversationId, isTyping)), [client, conversationId]);

  useEffect(() => () => throttle.stop(), [throttle]);
  useEffect(() => {
    setText(drafts.get(draftKey) ?? '');
    setProblem(null);
  }, [draftKey]);
  // Text shared into the app lands in the first conversation's composer opened after it.
  useEffect(() => {
    if (fixedReplyTo || offlineCopy || !conv || !canWrite(conv, me)) return;
    const shared = takePendingShare();
    if (shared === null) return;
    const before = drafts.get(draftKey) ?? '';
    const next = before ? `${before}\n${shared}` : shared;
    drafts.set(draftKey, next);
    setText(next);
    area.current?.focus();
  }, [draftKey, conv !== undefined]);
  useEffect(() => {
    if (editing) {
      setText(editing.content.text ?? '');
      area.current?.focus();
    }
  }, [editing]);
  useEffect(() => {
    if (replyTo) area.current?.focus();
  }, [replyTo]);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  if (!conv) return null;
  if (offlineCopy) {
    return (
      <p class="composer-readonly" role="status">
        {t('offlineReadOnly')}
      </p>
    );
  }
  if (!canWrite(conv, me)) {
    const mine = conv.participants.find((p) => p.userId === me?.id);
    return (
      <p class="composer-readonly" role="status">
        {conv.isArchived ? t('archivedReadOnly') : mine?.leftAt ? t('leftReadOnly') : t('archivedReadOnly')}
      </p>
    );
  }
  const uploadsAllowed = canUpload(conv, me);

  const setDraft = (v: string) => {
    setText(v);
    if (!editing) drafts.set(draftKey, v);
  };

  const [emojiOpen, setEmojiOpen] = useState(false);
  const emojiButton = useRef<HTMLButtonElement>(null);
  const [stickersOpen, setStickersOpen] = useState(false);
  const stickerButton = useRef<HTMLButtonElement>(null);
  const sendSticker = (id: string) => {
    client.sendSticker(conversationId, id, fixedReplyTo ?? replyTo?.id ?? null);
    setStickersOpen(false);
    if (!fixedReplyTo) onCancelReply();
    area.current?.focus();
  };
  const closeEmoji = () => {
    setEmojiOpen(false);
    area.current?.focus();
  };
  /** Puts the emoji where the caret (or the selection) is, and the caret after it. */
  const insertEmoji = (emoji: string) => {
    const el = area.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = insertAt(text, start, end, emoji);
    setDraft(next.text);
    setEmojiOpen(false);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const submit = async () => {
    const value = text.trim();
    if (!value) return;
    if (value.length > 10_000) {
      setProblem(error('payload_too_large'));
      return;
    }
    setProblem(null);
    throttle.stop();
    if (editing) {
      if (value === (editing.content.text ?? '').trim()) {
        onCancelEdit();
        setText(drafts.get(draftKey) ?? '');
        return;
      }
      setSaving(true);
      try {
        await client.editMessage(editing.id, value);
        onCancelEdit();
        setText(drafts.get(draftKey) ?? '');
      } catch (e) {
        setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
      } finally {
        setSaving(false);
      }
      return;
    }
    client.sendText(conversationId, value, fixedReplyTo ?? replyTo?.id ?? null);
    setDraft('');
    onCancelReply();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    } else if (e.key === 'ArrowUp' && !text && !editing && onEditLast && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      onEditLast();
    } else if (e.key === 'Escape') {
      if (editing) {
        onCancelEdit();
        setText(drafts.get(draftKey) ?? '');
      } else if (replyTo) onCancelReply();
    }
  };

  const onPaste = (e: ClipboardEvent) => {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (files.length > 0 && uploadsAllowed) {
      e.preventDefault();
      onFiles(files);
    }
  };

  const hintId = `composer-hint${idSuffix}`;
  const inputId = `composer-input${idSuffix}`;
  return (
    <form
      class={`composer ${editing ? 'is-editing' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {editing && (
        <div class="composer-context">
          <span>
            <strong>{t('editingMessage')}</strong>
          </span>
          <button
            type="button"
            class="icon-button"
            aria-label={t('cancelEdit')}
            onClick={() => {
              onCancelEdit();
              setText(drafts.get(draftKey) ?? '');
            }}
          >
            <Icon name="close" />
          </button>
        </div>
      )}
      {!editing && replyTo && (
        <div class="composer-context">
          <span class="composer-context-text">
            <strong>{t('replyingTo', { name: replyTo.senderId === me?.id ? t('you') : replyTo.sender.name })}</strong>
            <span class="muted"> {previewText(replyTo, tr.lang).slice(0, 120)}</span>
          </span>
          <button type="button" class="icon-button" aria-label={t('cancel')} onClick={onCancelReply}>
            <Icon name="close" />
          </button>
        </div>
      )}
      <div class="composer-row">
        {uploadsAllowed && !editing && (
          <>
            <button type="button" class="icon-button attach-button" aria-label={t('attachFile')} title={`${t('attachFile')} — ${t('allowedTypes', { types: conv.settings.allowedFileTypes.join(' '), size: formatFileSize(conv.settings.maxFileSize, tr.lang) })}`} onClick={() => fileInput.current?.click()}>
              <Icon name="attach" size={20} />
            </button>
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              accept={acceptAttribute(conv.settings)}
              onChange={(e) => {
                const files = Array.from(e.currentTarget.files ?? []);
                e.currentTarget.value = '';
                if (files.length > 0) onFiles(files);
              }}
            />
          </>
        )}
        <button
          ref={emojiButton}
          type="button"
          class="icon-button emoji-button"
          aria-label={t('emojiPicker')}
          title={t('emojiPicker')}
          aria-expanded={emojiOpen}
          onClick={() => setEmojiOpen((o) => !o)}
        >
          <Icon name="smile" size={20} />
        </button>
        {!editing && (
          <button
            ref={stickerButton}
            type="button"
            class="icon-button sticker-button"
            aria-label={t('stickers')}
            title={t('stickers')}
            aria-expanded={stickersOpen}
            onClick={() => setStickersOpen((o) => !o)}
          >
            <Icon name="sticker" size={20} />
          </button>
        )}
        {stickersOpen && (
          <StickerPicker
            onPick={sendSticker}
            onClose={() => {
              setStickersOpen(false);
              area.current?.focus();
            }}
            opener={stickerButton}
          />
        )}
        {emojiOpen && <EmojiPicker label={t('emojiPicker')} onPick={insertEmoji} onClose={closeEmoji} opener={emojiButton} />}
        <label for={inputId} class="visually-hidden">
          {t('composerLabel')}
        </label>
        <textarea
          id={inputId}
          ref={area}
          rows={1}
          value={text}
          placeholder={t('composerPlaceholder')}
          aria-describedby={hintId}
          onInput={(e) => {
            const v = e.currentTarget.value;
            setDraft(v);
            if (!editing) throttle.input(v.trim() === '');
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => throttle.stop()}
          disabled={saving}
        />
        <button type="submit" class="button button-primary send-button" disabled={!text.trim() || saving} aria-label={editing ? t('save') : t('send')}>
          {editing ? t('save') : t('send')}
        </button>
      </div>
      <p id={hintId} class="composer-hint muted small">
        {t('composerHint')}
      </p>
      {problem && (
        <p class="error-text small" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
