// The history of a conversation: day separators, grouped bubbles, system messages, pending
// messages last. Scrolling to the top loads older pages (before=<oldest seq>) without jumping.
import type { VNode } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Message } from '../protocol';
import { ChatError } from '../protocol';
import { messagesOf, pendingOf } from '../state';
import { dayKey, formatDay } from '../text/format';
import { useChat, useClient, useT } from './context';
import type { MessageHandlers } from './MessageBubble';
import { MessageBubble } from './MessageBubble';
import { PendingBubble } from './PendingBubble';
import { SystemMessage } from './SystemMessage';

const groupGapMs = 5 * 60 * 1000;

export function startsGroup(prev: Message | undefined, m: Message): boolean {
  if (!prev || prev.type === 'system' || m.type === 'system') return true;
  if (prev.senderId !== m.senderId) return true;
  if (dayKey(prev.createdAt) !== dayKey(m.createdAt)) return true;
  return Date.parse(m.createdAt) - Date.parse(prev.createdAt) > groupGapMs;
}

export function MessageList({ conversationId, handlers }: { conversationId: string; handlers: MessageHandlers }) {
  const client = useClient();
  const tr = useT();
  const { t, error } = tr;
  const log = useChat((s) => s.logs[conversationId]);
  const conv = useChat((s) => s.conversations[conversationId]);
  const outbox = useChat((s) => s.outbox);
  const pending = useMemo(() => pendingOf({ ...client.store.get(), outbox }, conversationId), [outbox, conversationId, client]);
  const messages = useMemo(() => messagesOf(log), [log]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const topRef = useRef<HTMLLIElement>(null);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const atBottom = useRef(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const [showJump, setShowJump] = useState(false);
  /** Messages that arrived below while the user was reading further up. */
  const [newBelow, setNewBelow] = useState(0);
  const listRef = useRef<HTMLOListElement>(null);

  const hasMore = log?.hasMoreBefore ?? false;
  const loaded = log?.loaded ?? false;

  const loadOlder = useCallback(async () => {
    const el = scrollRef.current;
    if (!el || loadingOlder) return;
    setLoadingOlder(true);
    setOlderError(null);
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    try {
      await client.loadOlder(conversationId);
    } catch (e) {
      anchor.current = null;
      setOlderError(error(e instanceof ChatError ? e.code : 'unknown'));
    } finally {
      setLoadingOlder(false);
    }
  }, [client, conversationId, loadingOlder, error]);

  const pendingCount = useRef(pending.length);
  const edges = useRef<{ first: number; last: number }>({ first: 0, last: 0 });

  // Keep the view still when older messages are put above; follow new ones at the bottom when
  // the user is there (always after they send one); otherwise offer "jump to latest". Changes
  // that add nothing at either end (edits, ticks, reactions) leave the scroll position alone.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const first = messages[0]?.seq ?? 0;
    const last = messages[messages.length - 1]?.seq ?? 0;
    const grewAtEnd = last > edges.current.last || pending.length > pendingCount.current;
    const sentNow = pending.length > pendingCount.current;
    const previousLast = edges.current.last;
    edges.current = { first, last };
    pendingCount.current = pending.length;
    if (sentNow) atBottom.current = true;
    if (anchor.current) {
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (grewAtEnd) {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      else {
        setShowJump(true);
        const added = messages.filter((m) => m.seq > previousLast).length;
        if (added > 0) setNewBelow((n) => n + added);
      }
    }
  }, [messages, pending.length]);

  // Content that grows after it was laid out (a thumbnail that loaded, a reaction, a download
  // bar) pushes the newest message down: while the user is at the bottom, stay there.
  useEffect(() => {
    const el = scrollRef.current;
    const content = listRef.current;
    if (!el || !content || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current && !anchor.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(content);
    return () => ro.disconnect();
  }, []);

  // A new conversation starts at the bottom.
  useLayoutEffect(() => {
    atBottom.current = true;
    edges.current = { first: 0, last: 0 };
    setShowJump(false);
    setNewBelow(0);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [conversationId]);

  useEffect(() => {
    const root = scrollRef.current;
    const target = topRef.current;
    if (!root || !target || !loaded || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadOlder();
      },
      { root, rootMargin: '200px 0px 0px 0px' },
    );
    io.observe(target);
    return () => io.disconnect();
  }, [loaded, hasMore, loadOlder, messages.length]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    atBottom.current = bottom;
    if (bottom) {
      setShowJump(false);
      setNewBelow(0);
      client.markRead(conversationId);
    }
  };

  const jump = () => {
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setShowJump(false);
    setNewBelow(0);
  };

  const items: VNode[] = [];
  const now = new Date();
  let prevDay = '';
  let prev: Message | undefined;
  for (const m of messages) {
    const day = dayKey(m.createdAt);
    if (day !== prevDay) {
      items.push(
        <li key={`day-${day}`} class="day-separator">
          <span>{formatDay(m.createdAt, tr.lang, now, { today: t('today'), yesterday: t('yesterday') })}</span>
        </li>,
      );
      prevDay = day;
    }
    if (m.type === 'system') items.push(<SystemMessage key={m.id} message={m} conv={conv} />);
    else items.push(<MessageBubble key={m.id} message={m} conv={conv} showSender={startsGroup(prev, m)} handlers={handlers} />);
    prev = m;
  }
  if (pending.length > 0 && dayKey(pending[0]!.createdAt) !== prevDay) {
    items.push(
      <li key="day-pending" class="day-separator">
        <span>{formatDay(pending[0]!.createdAt, tr.lang, now, { today: t('today'), yesterday: t('yesterday') })}</span>
      </li>,
    );
  }
  for (const p of pending) items.push(<PendingBubble key={p.clientMessageId} pending={p} />);

  return (
    <div class="message-scroller" ref={scrollRef} onScroll={onScroll} role="log" aria-label={t('messagesLabel')} aria-live="polite" aria-relevant="additions" tabIndex={0} id="messages">
      <ol class="messages" ref={listRef}>
        <li ref={topRef} class="history-edge">
          {!loaded && <p class="muted" role="status">{t('loading')}</p>}
          {loaded && hasMore && (
            <button type="button" class="link-button" onClick={() => void loadOlder()} disabled={loadingOlder}>
              {loadingOlder ? t('loadingOlder') : t('loadOlder')}
            </button>
          )}
          {loaded && !hasMore && messages.length > 0 && <p class="muted small">{t('beginningOfConversation')}</p>}
          {olderError && (
            <p class="error-text small" role="alert">
              {olderError}
            </p>
          )}
        </li>
        {loaded && messages.length === 0 && pending.length === 0 && <li class="empty-history muted">{t('noMessages')}</li>}
        {items}
      </ol>
      {showJump && (
        <button type="button" class="jump-latest button button-small" onClick={jump}>
          {t('jumpToLatest')} ↓
          {newBelow > 0 && <span class="jump-latest-count">{t('newMessagesBelow', { count: newBelow })}</span>}
        </button>
      )}
    </div>
  );
}
