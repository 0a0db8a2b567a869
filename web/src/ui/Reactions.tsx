// Reactions under a message: one chip per emoji with its count; the user's own are highlighted
// and clicking toggles them. A small picker adds one.
import { useRef, useState } from 'preact/hooks';
import type { Message } from '../protocol';
import { ChatError } from '../protocol';
import { useChat, useClient, useT } from './context';
import { EmojiPicker } from './EmojiPicker';
import { Icon } from './Icon';

export const quickEmoji = ['👍', '❤️', '🙏', '✅', '😂', '👀'];

export function Reactions({ message, onError }: { message: Message; onError: (text: string) => void }) {
  const client = useClient();
  const { t, error } = useT();
  const me = useChat((s) => s.me);
  const conv = useChat((s) => s.conversations[message.conversationId]);
  if (message.reactions.length === 0) return null;
  const groups = new Map<string, string[]>();
  for (const r of message.reactions) groups.set(r.emoji, [...(groups.get(r.emoji) ?? []), r.userId]);
  const nameOf = (id: string) => (id === me?.id ? t('you') : conv?.participants.find((p) => p.userId === id)?.user.name ?? id);
  const toggle = (emoji: string) =>
    client.toggleReaction(message, emoji).catch((e: unknown) => onError(error(e instanceof ChatError ? e.code : 'unknown')));
  return (
    <ul class="reactions">
      {[...groups].map(([emoji, users]) => {
        const mine = me !== null && users.includes(me.id);
        const label = t('reactedBy', { names: users.map(nameOf).join(', '), emoji });
        return (
          <li key={emoji}>
            {/* The name starts with what the button shows (emoji and count), as voice control expects. */}
            <button type="button" class={`reaction ${mine ? 'is-mine' : ''}`} aria-pressed={mine} title={label} aria-label={`${emoji} ${users.length}: ${label}`} onClick={() => void toggle(emoji)} disabled={!!message.deletedAt}>
              <span>{emoji}</span> <span>{users.length}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

export function ReactionPicker({ message, onDone, onError }: { message: Message; onDone: () => void; onError: (text: string) => void }) {
  const client = useClient();
  const { t, error } = useT();
  const me = useChat((s) => s.me);
  const [busy, setBusy] = useState(false);
  const [more, setMore] = useState(false);
  const moreButton = useRef<HTMLButtonElement>(null);
  const pick = async (emoji: string) => {
    setBusy(true);
    try {
      const mine = message.reactions.some((r) => r.userId === me?.id && r.emoji === emoji);
      if (!mine) await client.toggleReaction(message, emoji);
    } catch (e) {
      onError(error(e instanceof ChatError ? e.code : 'unknown'));
    } finally {
      setBusy(false);
      onDone();
    }
  };
  return (
    <div class="reaction-picker" role="group" aria-label={t('addReaction')}>
      {quickEmoji.map((e) => (
        <button key={e} type="button" class="icon-button" disabled={busy} aria-label={t('reactWith', { emoji: e })} onClick={() => void pick(e)}>
          {e}
        </button>
      ))}
      {/* The whole set, the same as the composer's (recent ones shared). */}
      <button
        ref={moreButton}
        type="button"
        class="icon-button"
        disabled={busy}
        aria-label={t('emojiMore')}
        title={t('emojiMore')}
        aria-expanded={more}
        onClick={() => setMore((m) => !m)}
      >
        <Icon name="plus" size={16} />
      </button>
      {more && <EmojiPicker label={t('addReaction')} onPick={(e) => void pick(e)} onClose={() => setMore(false)} opener={moreButton} />}
    </div>
  );
}
