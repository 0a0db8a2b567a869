// Finds users by name through the directory (GET /api/users) and hands the chosen one back:
// the new-conversation dialog and the member list's "Add member" use it.
import { useEffect, useState } from 'preact/hooks';
import type { DirectoryUser } from '../protocol';
import { ChatError } from '../protocol';
import { Avatar } from './Avatar';
import { useClient, useT } from './context';
import { roleKey } from './roles';

/** Typing pauses this long before a search goes out, so each keystroke does not cost a request. */
const SEARCH_DELAY_MS = 200;

export function PeoplePicker({ id, selected, disabledIds = [], onPick }: {
  id: string;
  /** Ids shown as chosen (checked). */
  selected: string[];
  /** Ids that cannot be picked (already members), with a note. */
  disabledIds?: string[];
  onPick: (user: DirectoryUser) => void;
}) {
  const client = useClient();
  const { t, error } = useT();
  const [text, setText] = useState('');
  const [found, setFound] = useState<DirectoryUser[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      client.api.findUsers({ q: text, limit: 20 }).then(
        (r) => {
          if (!live) return;
          setFound(r.users.filter((u) => u.role !== 'service'));
          setProblem(null);
        },
        (e: unknown) => {
          if (live) setProblem(e instanceof ChatError ? e.code : 'unknown');
        },
      );
    }, text ? SEARCH_DELAY_MS : 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, text]);

  const listId = `${id}-results`;
  return (
    <div class="people-search">
      <label for={id} class="visually-hidden">
        {t('peopleSearch')}
      </label>
      <input
        id={id}
        type="search"
        class="people-search-input"
        placeholder={t('peopleSearch')}
        value={text}
        maxLength={100}
        autoComplete="off"
        aria-controls={listId}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {problem && (
        <p class="error-text small" role="alert">
          {error(problem)}
        </p>
      )}
      <ul class="people-picker" id={listId} aria-live="polite">
        {found?.length === 0 && <li class="muted small">{t('peopleNoMatch')}</li>}
        {found?.map((u) => {
          const taken = disabledIds.includes(u.id);
          const chosen = selected.includes(u.id);
          return (
            <li key={u.id}>
              <button
                type="button"
                class={`person-option ${chosen ? 'is-selected' : ''}`}
                aria-pressed={chosen}
                disabled={taken}
                onClick={() => onPick(u)}
              >
                <Avatar id={u.id} name={u.name} size="sm" online={u.isOnline} />
                <span class="person-name">{u.name}</span>
                <span class="muted small">{taken ? t('alreadyMember') : t(roleKey[u.role])}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
