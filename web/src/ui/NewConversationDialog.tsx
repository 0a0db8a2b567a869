// "New conversation": find people by name (the directory, GET /api/users) and a type. Direct
// conversations are idempotent on the server.
import { useState } from 'preact/hooks';
import type { ConversationType, DirectoryUser } from '../protocol';
import { ChatError } from '../protocol';
import { Avatar } from './Avatar';
import { useChat, useClient, useT } from './context';
import { Dialog } from './Dialog';
import { PeoplePicker } from './PeoplePicker';

export function NewConversationDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const client = useClient();
  const { t, error } = useT();
  const me = useChat((s) => s.me);
  const [type, setType] = useState<ConversationType>('direct');
  const [selected, setSelected] = useState<DirectoryUser[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const toggle = (u: DirectoryUser) => {
    if (type === 'direct') setSelected([u]);
    else setSelected((s) => (s.some((x) => x.id === u.id) ? s.filter((x) => x.id !== u.id) : [...s, u]));
  };

  const canCreate = type === 'direct' ? selected.length === 1 : selected.length >= 1;
  const types: ConversationType[] = me?.role === 'admin' ? ['direct', 'group', 'consultation'] : ['direct', 'group'];

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!canCreate) return;
    setBusy(true);
    setProblem(null);
    try {
      const conv = await client.createConversation(type, selected.map((u) => u.id), type === 'direct' ? undefined : title.trim() || undefined);
      onCreated(conv.id);
    } catch (err) {
      setProblem(error(err instanceof ChatError ? err.code : 'unknown'));
    } finally {
      setBusy(false);
    }
  };

  const typeWord = { direct: t('typeDirect'), group: t('typeGroup'), consultation: t('typeConsultation') };

  return (
    <Dialog title={t('newConversation')} onClose={onClose}>
      <form class="new-conversation" onSubmit={(e) => void submit(e)}>
        <fieldset class="segmented">
          <legend>{t('newConversationType')}</legend>
          {types.map((ty) => (
            <label key={ty} class={type === ty ? 'is-selected' : ''}>
              <input
                type="radio"
                name="conversation-type"
                value={ty}
                checked={type === ty}
                onChange={() => {
                  setType(ty);
                  if (ty === 'direct') setSelected((s) => s.slice(0, 1));
                }}
              />
              {typeWord[ty]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('newConversationPeople')}</legend>
          <p class="muted small">{t('newConversationPickHint')}</p>
          <PeoplePicker id="new-conv-people" selected={selected.map((u) => u.id)} onPick={toggle} />
          {selected.length > 0 && (
            <p class="chosen-people small">
              {selected.map((u) => (
                <span key={u.id} class="chosen-person">
                  <Avatar id={u.id} name={u.name} size="sm" />
                  {u.name}
                </span>
              ))}
            </p>
          )}
        </fieldset>
        {type !== 'direct' && (
          <label class="field">
            <span>{t('newConversationTitle')}</span>
            <input type="text" value={title} maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} />
          </label>
        )}
        {problem && (
          <p role="alert" class="error-text">
            {problem}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" class="button button-primary" disabled={!canCreate || busy}>
            {t('newConversationCreate')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
