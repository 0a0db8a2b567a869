// A consultation room's state for its banner, rating prompt and sessions panel. The sessions
// list is fetched when the room opens and again only when a new lifecycle message arrives (or
// after a rating): no polling, the server pushes the messages that say something changed.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsultationState } from '../consultation/lifecycle';
import { consultationState, lifecycleMessages } from '../consultation/lifecycle';
import type { ChatSession, Conversation } from '../protocol';
import { ChatError } from '../protocol';
import { messagesOf } from '../state';
import { sameItems, useChat, useClient, useT } from './context';

export interface ConsultationView {
  state: ConsultationState;
  /** Newest first, as the server lists them. */
  sessions: ChatSession[];
  /** The words of the last failed fetch. */
  problem: string | null;
  reload: () => void;
}

export function useConsultation(conv: Conversation | undefined): ConsultationView {
  const client = useClient();
  const { error } = useT();
  const id = conv?.type === 'consultation' ? conv.id : null;
  const lifecycle = useChat((s) => (id ? lifecycleMessages(messagesOf(s.logs[id])) : []), sameItems);
  const [sessions, setSessions] = useState<ChatSession[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const newestStep = lifecycle.length > 0 ? lifecycle[lifecycle.length - 1]!.seq : 0;

  useEffect(() => {
    if (!id) return;
    let live = true;
    client.api.sessions(id).then(
      (list) => {
        if (!live) return;
        setSessions(list);
        setProblem(null);
      },
      (e: unknown) => live && setProblem(error(e instanceof ChatError ? e.code : 'unknown')),
    );
    return () => {
      live = false;
    };
  }, [client, id, newestStep, reloads]);

  const state = useMemo(() => consultationState(lifecycle, sessions), [lifecycle, sessions]);
  return { state, sessions, problem, reload: () => setReloads((n) => n + 1) };
}
