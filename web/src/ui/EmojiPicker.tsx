// The emoji picker of the composer and of reactions: search by name, recently used, one group
// at a time. Keyboard: type to search, ArrowDown into the grid, arrows move, Enter or Space
// picks, Escape closes (focus goes back to the opener). The set is loaded on first open so the
// page's first load does not carry it.
import type { RefObject } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { EmojiEntry } from '../composer/emoji';
import { loadRecent, saveRecent, searchEmoji, withRecent } from '../composer/emoji';
import type { EmojiGroupData } from '../composer/emojiData';
import type { StringKey } from '../i18n';
import { useT } from './context';

const columns = 8;

const groupKey: Record<string, StringKey> = {
  smileys_emotion: 'emojiGroupSmileys',
  people_body: 'emojiGroupPeople',
  animals_nature: 'emojiGroupNature',
  food_drink: 'emojiGroupFood',
  travel_places: 'emojiGroupTravel',
  activities: 'emojiGroupActivities',
  objects: 'emojiGroupObjects',
  symbols: 'emojiGroupSymbols',
  flags: 'emojiGroupFlags',
};

let loaded: Promise<EmojiGroupData[]> | null = null;
function loadGroups(): Promise<EmojiGroupData[]> {
  loaded ??= import('../composer/emojiData').then((m) => m.emojiGroups);
  return loaded;
}

export function EmojiPicker({ label, onPick, onClose, opener }: {
  label: string;
  onPick: (emoji: string) => void;
  onClose: () => void;
  /** The button that toggles the picker: a press on it is not a click outside. */
  opener?: RefObject<HTMLElement>;
}) {
  const { t } = useT();
  const [groups, setGroups] = useState<EmojiGroupData[] | null>(null);
  const [query, setQuery] = useState('');
  const [recent, setRecent] = useState<string[]>(() => loadRecent());
  const [tab, setTab] = useState<string>(() => (loadRecent().length > 0 ? 'recent' : 'smileys_emotion'));
  const root = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const onDoc = (e: MouseEvent) => {
      const target = e.target as Node;
      if (root.current?.contains(target) || opener?.current?.contains(target)) return;
      closeRef.current();
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, [opener]);

  useEffect(() => {
    let live = true;
    void loadGroups().then((g) => live && setGroups(g));
    search.current?.focus();
    return () => {
      live = false;
    };
  }, []);

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const g of groups ?? []) for (const [e, n] of g.emoji) m.set(e, n);
    return m;
  }, [groups]);

  const shown: EmojiEntry[] = useMemo(() => {
    if (!groups) return [];
    if (query.trim()) return searchEmoji(groups, query);
    if (tab === 'recent') return recent.map((emoji) => ({ emoji, name: names.get(emoji) ?? emoji }));
    return (groups.find((g) => g.slug === tab)?.emoji ?? []).map(([emoji, name]) => ({ emoji, name }));
  }, [groups, query, tab, recent, names]);

  const pick = (emoji: string) => {
    const next = withRecent(recent, emoji);
    setRecent(next);
    saveRecent(next);
    onPick(emoji);
  };

  const cells = () => Array.from(grid.current?.querySelectorAll<HTMLButtonElement>('button.emoji-cell') ?? []);
  const onGridKey = (e: KeyboardEvent) => {
    const all = cells();
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -i, End: all.length - 1 - i };
    const d = step[e.key];
    if (d === undefined) return;
    e.preventDefault();
    if (e.key === 'ArrowUp' && i < columns) return search.current?.focus();
    all[Math.max(0, Math.min(all.length - 1, i + d))]?.focus();
  };

  const tabs: { id: string; icon: string; label: string }[] = [
    ...(recent.length > 0 ? [{ id: 'recent', icon: '🕘', label: t('emojiRecent') }] : []),
    ...(groups ?? []).map((g) => ({ id: g.slug, icon: g.emoji[0]?.[0] ?? '', label: t(groupKey[g.slug] ?? 'emojiGroupSymbols') })),
  ];

  return (
    <div
      ref={root}
      class="emoji-picker"
      role="dialog"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <label class="visually-hidden" for="emoji-search">
        {t('emojiSearch')}
      </label>
      <input
        ref={search}
        id="emoji-search"
        type="search"
        class="emoji-search"
        placeholder={t('emojiSearch')}
        value={query}
        autoComplete="off"
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            cells()[0]?.focus();
          } else if (e.key === 'Enter') {
            e.preventDefault();
            if (shown[0]) pick(shown[0].emoji);
          }
        }}
      />
      {!query.trim() && (
        <div class="emoji-tabs" role="tablist" aria-label={t('emojiGroups')}>
          {tabs.map((g) => (
            <button
              key={g.id}
              type="button"
              role="tab"
              class="emoji-tab"
              aria-selected={tab === g.id}
              aria-label={g.label}
              title={g.label}
              onClick={() => setTab(g.id)}
            >
              <span aria-hidden="true">{g.icon}</span>
            </button>
          ))}
        </div>
      )}
      <div ref={grid} class="emoji-grid" role="group" aria-label={query.trim() ? t('emojiResults') : (tabs.find((x) => x.id === tab)?.label ?? '')} onKeyDown={onGridKey}>
        {!groups && <p class="muted small">{t('loading')}</p>}
        {groups && shown.length === 0 && <p class="muted small">{t('emojiNoMatch')}</p>}
        {shown.map((e) => (
          <button key={e.emoji} type="button" class="emoji-cell" aria-label={e.name} title={e.name} onClick={() => pick(e.emoji)}>
            {e.emoji}
          </button>
        ))}
      </div>
    </div>
  );
}
