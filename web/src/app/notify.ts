// In-page notifications for messages that arrive while the tab is hidden (permission is asked
// by the "Browser notifications" switch, push/subscription.ts). The text is passed
// as the notification body (plain text; the browser never renders it as HTML).
import type { Lang, Message } from '../protocol';
import { stickerById } from '../stickers/stickers';
import type { ChatState } from '../state';
import { conversationName } from '../state';
import { translate } from '../i18n';

function api(win: Window): typeof Notification | null {
  const n = (win as Window & typeof globalThis).Notification;
  return typeof n === 'function' ? n : null;
}

/** What a notification or a list preview says about a message, in plain text. */
export function previewText(m: Pick<Message, 'type' | 'content' | 'deletedAt'>, lang: Lang): string {
  if (m.deletedAt) return translate(lang, 'deletedMessage');
  if (m.content.text) return m.content.text;
  if (m.content.fileInfo) return `📎 ${m.content.fileInfo.fileName || translate(lang, 'file')}`;
  if (m.content.sticker) {
    const s = stickerById(m.content.sticker);
    return `${translate(lang, 'stickers')}: ${s ? translate(lang, s.label) : m.content.sticker}`;
  }
  return '';
}

export function notifyIfHidden(win: Window, m: Message, state: ChatState, lang: Lang, open: (conversationId: string) => void): void {
  if (!win.document.hidden) return;
  const N = api(win);
  if (!N || N.permission !== 'granted') return;
  const conv = state.conversations[m.conversationId];
  const senderName = m.sender.name || m.senderId;
  const title = conv && conv.type !== 'direct' ? `${senderName} · ${conversationName(conv, state.me)}` : senderName;
  const body = previewText(m, lang).slice(0, 200);
  try {
    const n = new N(title, { body, tag: m.conversationId, lang });
    n.onclick = () => {
      win.focus();
      open(m.conversationId);
      n.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}
