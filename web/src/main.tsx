import { render } from 'preact';
import { ChatClient } from './app/client';
import { App } from './ui/App';
import { isOpenConversationMessage } from './push/openMessage';
import { routeFromAddress, routeHash } from './app/route';
import { serviceWorkerUrl } from './push/subscription';
import { takeShareFromAddress } from './offline/share';
import './styles/theme.css';
import './styles/layout.css';
import './styles/messages.css';

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

// Text shared from the phone's share sheet (manifest share_target) waits for a conversation.
takeShareFromAddress(window.location, window.history, sessionStorageOrNull());
const client = new ChatClient({ win: window, storage: localStorageOrNull() });
// Read the token out of the URL before anything else can see or log the address.
client.boot(() => {});
// The service worker shows Web Push notifications; a click on one asks an open tab to move to
// the conversation, which it does through its address (app/route.ts).
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register(serviceWorkerUrl, { scope: '/' }).catch(() => {
    /* no worker (e.g. not a secure context): the page works without push */
  });
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
    if (!isOpenConversationMessage(e.data)) return;
    const route = routeFromAddress(new URL(e.data.url, window.location.origin));
    const hash = routeHash(route ?? (e.data.conversationId ? { conversationId: e.data.conversationId, threadRootId: null } : null));
    if (hash !== window.location.hash) window.location.hash = hash;
  });
}
const root = document.getElementById('app');
if (root) render(<App client={client} />, root);
