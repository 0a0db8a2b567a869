// "New conversation": pick people (known from other conversations, or demo users in dev mode,
// or by user ID) and a type. Direct conversations are idempotent on the server.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConversationType, Role } from '../protocol';
import { ChatError } from '../protocol';
import { Avatar } from './Avatar';
import { useChat, useClient, useT } from './context';
import { Dialog } from './Dialog';
import { roleKey } from './roles';

interface Person {
  id: string;
  name: string;
  role: Role | null;
}

export function NewConversationDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const client = useClient();
  const { t, error } = useT();
  const me = useChat((s) => s.me);
  const conversations = useChat((s) => s.conversations);
  const [devPeople, setDevPeople] = useState<Person[]>([]);
  const [extra, setExtra] = useState<Person[]>([]);
  const [type, setType] = useState<ConversationType>('direct');
  const [selected, setSelected] = useState<string[]>([]);
  const [typedId, setTypedId] = useState('');
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    client.api.devUsers().then(
      (users) => setDevPeople(users.map((u) => ({ id: u.id, name: u.name, role: u.role }))),
      () => setDevPeople([]),
    );
  }, [client]);

  const people = useMemo(() => {
    const map = new Map<string, Person>();
    for (const p of [...devPeople, ...extra]) map.set(p.id, p);
    for (const c of Object.values(conversations))
      for (const p of c.participants) if (!map.has(p.userId)) map.set(p.userId, { id: p.userId, name: p.user.name || p.userId, role: p.role });
    if (me) map.delete(me.id);
    return [...map.values()].filter((p) => p.role !== 'service').sort((a, b) => a.name.localeCompare(b.name));
  }, [devPeople, extra, conversations, me]);

  const toggle = (id: string) => {
    if (type === 'direct') setSelected([id]);
    else setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  };

  const addTyped = () => {
    const id = typedId.trim();
    if (!id || id.length > 128) return;
    if (!people.some((p) => p.id === id)) setExtra((x) => [...x, { id, name: id, role: null }]);
    toggle(id);
    setTypedId('');
  };

  const canCreate = type === 'direct' ? selected.length === 1 : selected.length >= 1;
  const types: ConversationType[] = me?.role === 'admin' ? ['direct', 'group', 'consultation'] : ['direct', 'group'];

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!canCreate) return;
    setBusy(true);
    setProblem(null);
    try {
      const conv = await client.createConversation(type, selected, type === 'direct' ? undefined : title.trim() || undefined);
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
          <ul class="people-picker">
            {people.map((p) => (
              <li key={p.id}>
                <label class="person-option">
                  <input
                    type={type === 'direct' ? 'radio' : 'checkbox'}
                    name="person"
                    checked={selected.includes(p.id)}
                    onChange={() => toggle(p.id)}
                  />
                  <Avatar id={p.id} name={p.name} size="sm" />
                  <span>{p.name}</span>
                  {p.role && <span class="muted small">{t(roleKey[p.role])}</span>}
                </label>
              </li>
            ))}
          </ul>
          <div class="inline-field">
            <label for="new-conv-user-id" class="visually-hidden">
              {t('newConversationUserId')}
            </label>
            <input
              id="new-conv-user-id"
              type="text"
              placeholder={t('newConversationUserId')}
              value={typedId}
              maxLength={128}
              onInput={(e) => setTypedId(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addTyped();
                }
              }}
            />
            <button type="button" class="button" onClick={addTyped} disabled={!typedId.trim()}>
              {t('newConversationAddUser')}
            </button>
          </div>
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
