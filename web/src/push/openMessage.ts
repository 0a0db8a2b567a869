// What the service worker posts to an open tab when a notification is clicked, and the page's
// check of it. Its own module: the page imports it, the worker only its type, so the worker's
// bundle shares no chunk with the page (a classic service worker cannot import one).
/** The message the worker posts to an open tab to make it open a conversation. */
export interface OpenConversationMessage {
  type: 'writeen-open';
  url: string;
  conversationId: string | null;
}

export function isOpenConversationMessage(v: unknown): v is OpenConversationMessage {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.type === 'writeen-open' && typeof o.url === 'string';
}
