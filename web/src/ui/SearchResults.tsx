// Results of /api/search across all conversations, with the server's highlighted fragments.
import type { Message } from '../protocol';
import { conversationName } from '../state';
import { formatListTime } from '../text/format';
import { highlightParts } from '../text/linkify';
import { previewText } from '../app/notify';
import { useChat, useT } from './context';

export function SearchResults({ results, loading, error, onOpen }: { results: Message[]; loading: boolean; error: string | null; onOpen: (conversationId: string, messageId: string) => void }) {
  const tr = useT();
  const conversations = useChat((s) => s.conversations);
  const me = useChat((s) => s.me);
  if (error) return <p role="alert" class="list-empty error-text">{error}</p>;
  if (loading && results.length === 0) return <p class="list-empty muted" role="status">{tr.t('loading')}</p>;
  if (results.length === 0) return <p class="list-empty muted" role="status">{tr.t('searchNoResults')}</p>;
  return (
    <ul class="search-results" aria-label={tr.t('searchResults')}>
      {results.map((m) => {
        const conv = conversations[m.conversationId];
        const parts = m.highlight ? highlightParts(m.highlight.fragment, m.highlight.matches) : [{ text: previewText(m, tr.lang), match: false }];
        return (
          <li key={m.id}>
            <button type="button" class="search-result" onClick={() => onOpen(m.conversationId, m.id)}>
              <span class="search-result-top">
                <span class="search-result-where">{conv ? conversationName(conv, me) : ''}</span>
                <time class="muted" dateTime={m.createdAt}>{formatListTime(m.createdAt, tr.lang, new Date())}</time>
              </span>
              <span class="search-result-sender">{m.senderId === me?.id ? tr.t('you') : m.sender.name}</span>
              <span class="search-result-text">
                {parts.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : p.text))}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
