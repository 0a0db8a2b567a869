// What every component reaches through context: the client and the interface language.
import { createContext } from 'preact';
import { useContext, useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { ChatClient } from '../app/client';
import type { Translator } from '../i18n';
import { translator } from '../i18n';
import type { ChatState } from '../state';

export const ClientContext = createContext<ChatClient | null>(null);
export const LangContext = createContext<{ tr: Translator; setLang: (l: Translator['lang']) => void }>({
  tr: translator('en'),
  setLang: () => {},
});

export function useClient(): ChatClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('ClientContext missing');
  return c;
}

export function useT(): Translator {
  return useContext(LangContext).tr;
}

/**
 * The selected slice of the state, computed on every render (so selectors may use props) and
 * re-rendering when a store change alters it (compared with `equal`, Object.is by default).
 */
export function useChat<T>(select: (s: ChatState) => T, equal: (a: T, b: T) => boolean = Object.is): T {
  const client = useClient();
  const [, force] = useReducer((n: number) => n + 1, 0);
  const value = select(client.store.get());
  const latest = useRef({ select, value, equal });
  latest.current = { select, value, equal };
  useEffect(() => {
    const check = (s: ChatState) => {
      const { select: sel, value: prev, equal: eq } = latest.current;
      if (!eq(prev, sel(s))) force(0);
    };
    const unsubscribe = client.store.subscribe(check);
    // Effects run after the paint, so a dispatch between this render and now (the offline
    // sign-in fails as soon as the page starts) told no one: compare once on subscribing.
    check(client.store.get());
    return unsubscribe;
  }, [client]);
  return value;
}

/** Same elements in the same order (by identity): for derived lists of store objects. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => Object.is(x, b[i])));
}

/** Equality by content, for small derived arrays and objects. */
export function sameJson<T>(a: T, b: T): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** The current time, refreshed every `ms` (for "last seen" and typing expiry). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
