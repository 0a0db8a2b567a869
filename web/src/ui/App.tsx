// The whole page: sign-in until there is a user, then the list and the open conversation side
// by side (one at a time on a phone), with the connection state on top.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ChatClient } from '../app/client';
import type { Route } from '../app/route';
import { parseRoute, routeFromAddress, routeHash, sameRoute } from '../app/route';
import { titleWithUnread, totalUnread } from '../state';
import type { Lang } from '../i18n';
import { initialLanguage, rememberLanguage, translator } from '../i18n';
import { ConnectionBanner, OfflineNotice } from './ConnectionBanner';
import { ClientContext, LangContext, useChat, useT } from './context';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { SignInScreen } from './SignInScreen';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * The open conversation (and thread) follows the URL fragment (app/route.ts): opening one pushes
 * a history entry, the browser's back button pops it, a reload or a shared link lands in it.
 */
function useRoute(): [Route | null, (r: Route | null) => void, () => void] {
  const [route, setRoute] = useState<Route | null>(() => {
    const r = routeFromAddress(window.location);
    // `?conversation=<id>` (a notification's address) becomes the fragment form.
    if (r && !parseRoute(window.location.hash)) window.history.replaceState(null, '', `${window.location.pathname}${routeHash(r)}`);
    return r;
  });
  useEffect(() => {
    const onChange = () => setRoute((cur) => {
      const next = parseRoute(window.location.hash);
      return sameRoute(cur, next) ? cur : next;
    });
    window.addEventListener('popstate', onChange);
    window.addEventListener('hashchange', onChange);
    return () => {
      window.removeEventListener('popstate', onChange);
      window.removeEventListener('hashchange', onChange);
    };
  }, []);
  const navigate = useCallback((next: Route | null) => {
    if (sameRoute(parseRoute(window.location.hash), next)) return;
    // Marked as ours, so the in-app back button can step back instead of adding an entry.
    window.history.pushState({ writeenRoute: true }, '', routeHash(next));
    setRoute(next);
  }, []);
  const back = useCallback(() => {
    const s: unknown = window.history.state;
    if (s && typeof s === 'object' && (s as { writeenRoute?: boolean }).writeenRoute) window.history.back();
    else {
      window.history.replaceState(null, '', routeHash(null));
      setRoute(null);
    }
  }, []);
  return [route, navigate, back];
}

function ChatScreen() {
  const { t } = useT();
  const [route, navigate, back] = useRoute();
  // A search result to bring into view; not part of the address.
  const [focus, setFocus] = useState<{ conversationId: string; messageId: string } | null>(null);
  const open = (id: string, messageId?: string) => {
    setFocus(messageId ? { conversationId: id, messageId } : null);
    navigate({ conversationId: id, threadRootId: null });
  };
  const active = route?.conversationId ?? null;
  return (
    <div class={`chat-layout ${active ? 'has-active' : ''}`}>
      <a href="#messages" class="skip-link">
        {t('skipToMessages')}
      </a>
      <ConnectionBanner />
      <OfflineNotice />
      <div class="chat-panes">
        <ConversationList onOpen={open} />
        <main class="conversation-pane">
          {route ? (
            <ConversationView
              key={route.conversationId}
              conversationId={route.conversationId}
              focusMessageId={focus?.conversationId === route.conversationId ? focus.messageId : null}
              threadRootId={route.threadRootId}
              onThread={(rootId) => {
                if (rootId === route.threadRootId) return;
                if (!rootId && route.threadRootId) back();
                else navigate({ conversationId: route.conversationId, threadRootId: rootId });
              }}
              onBack={back}
              onOpenConversation={(id) => open(id)}
            />
          ) : (
            <div class="no-conversation">
              <span class="brand-mark large" aria-hidden="true">
                W
              </span>
              <p class="muted">{t('selectConversation')}</p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}

function Root() {
  const { t } = useT();
  const signedIn = useChat((s) => s.me !== null);
  const unread = useChat(totalUnread);
  useEffect(() => {
    document.title = titleWithUnread(t('appName'), signedIn ? unread : 0);
  }, [signedIn, unread, t]);
  return signedIn ? <ChatScreen /> : <SignInScreen />;
}

export function App({ client }: { client: ChatClient }) {
  const [lang, setLangState] = useState<Lang>(() => initialLanguage(storage(), navigator));
  const tr = useMemo(() => translator(lang), [lang]);
  const langValue = useMemo(
    () => ({
      tr,
      setLang: (l: Lang) => {
        rememberLanguage(storage(), l);
        setLangState(l);
      },
    }),
    [tr],
  );

  useEffect(() => {
    document.documentElement.lang = lang;
    client.lang = lang;
  }, [lang, tr, client]);

  useEffect(() => {
    const onVisibility = () => client.setVisible(document.visibilityState === 'visible');
    const onOnline = () => client.connection.retryNow();
    const onOffline = () => client.connection.wentOffline();
    onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    // Typing indications lapse on their own; prune them once a second while there are any.
    const tick = setInterval(() => {
      const typing = client.store.get().typing;
      if (Object.values(typing).some((room) => Object.keys(room).length > 0)) client.store.dispatch({ type: 'tick', now: Date.now() });
    }, 1000);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      clearInterval(tick);
    };
  }, [client]);

  return (
    <ClientContext.Provider value={client}>
      <LangContext.Provider value={langValue}>
        <Root />
      </LangContext.Provider>
    </ClientContext.Provider>
  );
}
