// Dev mode only, for the room's tutor: buttons that play the Writeen consultation service
// (confirm, start, end, cancel), so a person running `make run` can walk the whole lifecycle.
// What they change comes back like any service call would: system messages and
// conversation_updated on every participant's socket.
import { useState } from 'preact/hooks';
import type { DemoService } from '../consultation/demoService';
import type { Conversation } from '../protocol';
import { ChatError } from '../protocol';
import { useChat, useClient, useT } from './context';
import type { ConsultationView } from './useConsultation';

export function DemoServicePanel({ conv, view, service, onOpenConversation }: {
  conv: Conversation;
  view: ConsultationView;
  service: DemoService;
  onOpenConversation: (id: string) => void;
}) {
  const client = useClient();
  const { t, error } = useT();
  const me = useChat((s) => s.me);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const [items, setItems] = useState('');
  const phase = view.state.phase;
  const consultationId = conv.consultationId ?? '';

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await f();
    } catch (e) {
      setProblem(error(e instanceof ChatError ? e.code : 'unknown'));
    } finally {
      setBusy(false);
    }
  };

  const confirm = () =>
    run(async () => {
      const room = await service.confirm(conv, me?.id ?? '');
      client.store.dispatch({ type: 'conversation_upserted', conversation: room });
      // A room made by hand (the dev seed's) has no consultation record: the service then makes
      // the consultation's own room, and that is where the lifecycle goes on.
      if (room.id !== conv.id) onOpenConversation(room.id);
    });

  return (
    <details class="demo-service">
      <summary>{t('demoService')}</summary>
      <p class="small muted">{t('demoServiceHint')}</p>
      <div class="demo-service-actions">
        <button type="button" class="button button-small" disabled={busy || phase === 'cancelled'} onClick={() => void confirm()}>
          {t('demoConfirm')}
        </button>
        <button
          type="button"
          class="button button-small"
          disabled={busy || !(phase === 'scheduled' || phase === 'ended')}
          onClick={() => void run(async () => void (await service.start(consultationId)))}
        >
          {t('demoStart')}
        </button>
        <button
          type="button"
          class="button button-small"
          disabled={busy || phase !== 'live'}
          onClick={() =>
            void run(async () => {
              const list = items.split('\n').map((s) => s.trim()).filter((s) => s !== '');
              await service.end(consultationId, notes, list);
              setNotes('');
              setItems('');
            })
          }
        >
          {t('demoEnd')}
        </button>
        <button
          type="button"
          class="button button-small button-danger"
          disabled={busy || phase === 'cancelled' || phase === 'unscheduled'}
          onClick={() => {
            if (window.confirm(t('demoCancelAsk'))) void run(async () => void (await service.cancel(consultationId)));
          }}
        >
          {t('demoCancel')}
        </button>
      </div>
      {phase === 'live' && (
        <div class="demo-service-end">
          <label>
            <span class="small muted">{t('demoNotes')}</span>
            <textarea rows={2} value={notes} onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} />
          </label>
          <label>
            <span class="small muted">{t('demoActionItems')}</span>
            <textarea rows={2} value={items} onInput={(e) => setItems((e.currentTarget as HTMLTextAreaElement).value)} />
          </label>
        </div>
      )}
      {problem && (
        <p class="small error-text" role="alert">
          {problem}
        </p>
      )}
    </details>
  );
}
