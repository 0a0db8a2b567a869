// The whole page: sign-in until there is a user, then the list and the open conversation side
// by side (one at a time on a phone), with the connection state on top.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ChatClient } from '../app/client';
import type { Lang } from '../i18n';
import { initialLanguage, rememberLanguage, translator } from '../i18n';
import { ConnectionBanner } from './ConnectionBanner';
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

function ChatScreen() {
  const { t } = useT();
  const [active, setActive] = useState<{ id: string; focus: string | null } | null>(null);
  const signedInAs = useChat((s) => s.me?.id ?? null);
  useEffect(() => setActive(null), [signedInAs]);
  return (
    <div class={`chat-layout ${active ? 'has-active' : ''}`}>
      <a href="#messages" class="skip-link">
        {t('skipToMessages')}
      </a>
      <ConnectionBanner />
      <div class="chat-panes">
        <ConversationList onOpen={(id, messageId) => setActive({ id, focus: messageId ?? null })} />
        <main class="conversation-pane">
          {active ? (
            <ConversationView
              key={active.id}
              conversationId={active.id}
              focusMessageId={active.focus}
              onBack={() => setActive(null)}
              onOpenConversation={(id) => setActive({ id, focus: null })}
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
  const signedIn = useChat((s) => s.me !== null);
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
    document.title = tr.t('appName');
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
