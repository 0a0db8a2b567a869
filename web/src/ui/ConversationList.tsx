// The left pane: who the user talks to, filtered by type, archived or not, and a search box
// that searches messages in every conversation.
import { Icon } from './Icon';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationType, Message } from '../protocol';
import { ChatError } from '../protocol';
import type { ConversationFilter } from '../state';
import { visibleConversations } from '../state';
import { ConversationListItem } from './ConversationListItem';
import { sameItems, useChat, useClient, useT } from './context';
import { NewConversationDialog } from './NewConversationDialog';
import { DownloadsPanel } from './DownloadsPanel';
import { NotificationBell } from './NotificationBell';
import { ShareNotice } from './ShareNotice';
import { SearchResults } from './SearchResults';
import { UserMenu } from './UserMenu';

const filterTypes: Array<ConversationType | 'all'> = ['all', 'direct', 'consultation', 'group'];

export function ConversationList({ onOpen }: { onOpen: (conversationId: string, messageId?: string) => void }) {
  const client = useClient();
  const { t, error } = useT();
  const [filter, setFilter] = useState<ConversationFilter>({ type: 'all', archived: false });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Message[]>([]);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const active = useChat((s) => s.activeConversationId);
  const connectionId = useChat((s) => s.connection.connectionId);
  const shown = useChat((s) => visibleConversations(s, filter), sameItems);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    let live = true;
    setLoadError(null);
    client.loadConversations(filter.type, filter.archived).catch((e: unknown) => {
      if (live) setLoadError(error(e instanceof ChatError ? e.code : 'unknown'));
    });
    return () => {
      live = false;
    };
    // Reload after every reconnect too: unread counts and conversations created meanwhile.
  }, [client, filter.type, filter.archived, connectionId]);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      setSearchError(null);
      return;
    }
    let live = true;
    setSearching(true);
    const timer = setTimeout(() => {
      client.api.search({ q, limit: 30 }).then(
        (r) => {
          if (!live) return;
          setResults(r);
          setSearchError(null);
          setSearching(false);
        },
        (e: unknown) => {
          if (!live) return;
          setSearchError(error(e instanceof ChatError ? e.code : 'unknown'));
          setSearching(false);
        },
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, query]);

  const typeWord: Record<ConversationType | 'all', string> = {
    all: t('filterAll'),
    direct: t('filterDirect'),
    consultation: t('filterConsultation'),
    group: t('filterGroup'),
  };

  // Arrow keys move between conversations.
  const onListKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    const buttons = Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('.conversation-item') ?? []);
    if (buttons.length === 0) return;
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next = i;
    if (e.key === 'ArrowDown') next = Math.min(buttons.length - 1, i + 1);
    if (e.key === 'ArrowUp') next = Math.max(0, i - 1);
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = buttons.length - 1;
    e.preventDefault();
    buttons[next]?.focus();
  };

  return (
    <nav class="conversation-list" aria-label={t('conversations')}>
      <header class="pane-header">
        <h1 class="pane-title">{t('conversations')}</h1>
        {/* A plus alone, as in most chat apps: with a "New" label beside it the pane title was
            cut to "Conversati…" at 1280 px (the downloads button takes room too). */}
        <button
          type="button"
          class="button button-primary button-small button-icon-only"
          onClick={() => setCreating(true)}
          aria-label={t('newConversation')}
          title={t('newConversation')}
        >
          <Icon name="plus" size={16} />
        </button>
        <DownloadsPanel />
        <NotificationBell onOpen={(id) => onOpen(id)} />
        <UserMenu />
      </header>
      <ShareNotice />
      <div class="search-box" role="search">
        <label for="search-input" class="visually-hidden">
          {t('searchLabel')}
        </label>
        <input
          id="search-input"
          type="search"
          placeholder={t('searchPlaceholder')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
          }}
          autocomplete="off"
        />
        {query && (
          <button type="button" class="icon-button" aria-label={t('clearSearch')} onClick={() => setQuery('')}>
            <Icon name="close" />
          </button>
        )}
      </div>
      {query.trim() ? (
        <SearchResults
          results={results}
          loading={searching}
          error={searchError}
          onOpen={(cid, mid) => {
            setQuery('');
            onOpen(cid, mid);
          }}
        />
      ) : (
        <>
          <div class="list-filters">
            <div class="filter-chips" role="group" aria-label={t('filterByType')}>
              {filterTypes.map((ty) => (
                <button key={ty} type="button" class="chip" aria-pressed={filter.type === ty} onClick={() => setFilter((f) => ({ ...f, type: ty }))}>
                  {typeWord[ty]}
                </button>
              ))}
            </div>
            <label class="toggle">
              <input type="checkbox" checked={filter.archived} onChange={(e) => setFilter((f) => ({ ...f, archived: e.currentTarget.checked }))} />
              <span>{t('showArchived')}</span>
            </label>
          </div>
          {loadError && (
            <p role="alert" class="list-empty error-text">
              {loadError}
            </p>
          )}
          {shown.length === 0 && !loadError && <p class="list-empty muted">{filter.archived ? t('noArchived') : t('noConversations')}</p>}
          <ul class="conversations" ref={listRef} onKeyDown={onListKey}>
            {shown.map((c) => (
              <ConversationListItem key={c.id} conv={c} active={c.id === active} onOpen={(id) => onOpen(id)} />
            ))}
          </ul>
        </>
      )}
      {creating && (
        <NewConversationDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            onOpen(id);
          }}
        />
      )}
    </nav>
  );
}
