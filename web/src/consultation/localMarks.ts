// What only this device remembers about consultation sessions, per user: which sessions were
// rated or the prompt dismissed (the server does not tell a user whether they rated), and which
// action items were ticked (a personal checklist; the server keeps no check state).
const prefix = 'writeen-chat-consultation:';

interface Marks {
  rated: Record<string, number>;
  dismissed: Record<string, true>;
  checked: Record<string, number[]>;
}

function empty(): Marks {
  return { rated: {}, dismissed: {}, checked: {} };
}

function load(storage: Storage | null, userId: string): Marks {
  try {
    const raw = storage?.getItem(prefix + userId);
    const v: unknown = raw ? JSON.parse(raw) : null;
    return v && typeof v === 'object' ? { ...empty(), ...(v as Partial<Marks>) } : empty();
  } catch {
    return empty();
  }
}

function save(storage: Storage | null, userId: string, marks: Marks): void {
  try {
    storage?.setItem(prefix + userId, JSON.stringify(marks));
  } catch {
    /* storage blocked or full: the marks last for this page only */
  }
}

export class SessionMarks {
  constructor(
    private readonly storage: Storage | null,
    private readonly userId: string,
  ) {}

  /** The rating this user gave on this device, if any. */
  ratingOf(sessionId: string): number | null {
    return load(this.storage, this.userId).rated[sessionId] ?? null;
  }

  /** Whether the rating prompt should still be shown for the session. */
  wantsRating(sessionId: string): boolean {
    const m = load(this.storage, this.userId);
    return m.rated[sessionId] === undefined && !m.dismissed[sessionId];
  }

  rated(sessionId: string, rating: number): void {
    const m = load(this.storage, this.userId);
    m.rated[sessionId] = rating;
    save(this.storage, this.userId, m);
  }

  dismiss(sessionId: string): void {
    const m = load(this.storage, this.userId);
    m.dismissed[sessionId] = true;
    save(this.storage, this.userId, m);
  }

  /** Indices of the session's action items ticked on this device. */
  checked(sessionId: string): number[] {
    return load(this.storage, this.userId).checked[sessionId] ?? [];
  }

  setChecked(sessionId: string, index: number, on: boolean): number[] {
    const m = load(this.storage, this.userId);
    const now = new Set(m.checked[sessionId] ?? []);
    if (on) now.add(index);
    else now.delete(index);
    m.checked[sessionId] = [...now].sort((a, b) => a - b);
    save(this.storage, this.userId, m);
    return m.checked[sessionId];
  }
}
