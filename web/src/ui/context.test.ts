// @vitest-environment happy-dom
import { h, render } from 'preact';
import { describe, expect, it } from 'vitest';
import type { ChatClient } from '../app/client';
import { Store } from '../state/store';
import { ClientContext, useChat } from './context';

function SignedInAs() {
  const name = useChat((s) => s.me?.name ?? 'nobody');
  return h('p', null, name);
}

describe('useChat', () => {
  it('re-renders for a change made after the first render but before its effect subscribed', async () => {
    const store = new Store();
    const client = { store } as unknown as ChatClient;
    const root = document.createElement('div');
    render(h(ClientContext.Provider, { value: client }, h(SignedInAs, null)), root);
    expect(root.textContent).toBe('nobody');
    // Before Preact runs the effects (after the next frame): what an offline sign-in, which
    // fails at once, does.
    store.dispatch({ type: 'signed_in', me: { id: 'student-ayu', name: 'Ayu Lestari', role: 'student', avatar: null } });
    await new Promise((r) => setTimeout(r, 100));
    expect(root.textContent).toBe('Ayu Lestari');
  });
});
