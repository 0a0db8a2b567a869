import { render } from 'preact';
import { ChatClient } from './app/client';
import { App } from './ui/App';
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

const client = new ChatClient({ win: window, storage: localStorageOrNull() });
// Read the token out of the URL before anything else can see or log the address.
client.boot(() => {});
const root = document.getElementById('app');
if (root) render(<App client={client} />, root);
