// Whether the consultation banner is folded to its one-line form. Only phones show the fold
// (layout.css hides the toggle and ignores the fold on wider screens), so the banner starts
// folded there and leaves the messages the room. It opens by itself when it holds something the
// person must act on or read (a session to rate, a problem loading sessions) — until they fold
// it again, which is remembered for that reason only: the next session to rate opens it anew.

/** What the banner currently asks of the person; `null` when nothing. */
export function bannerAttention(input: { rateSessionId: string | null; problem: string | null }): string | null {
  if (input.rateSessionId) return `rate:${input.rateSessionId}`;
  if (input.problem) return `problem:${input.problem}`;
  return null;
}

/** The person's last toggle, and what the banner was asking for when they made it. */
export interface FoldChoice {
  folded: boolean;
  attention: string | null;
}

/** Folded or not: the person's choice while nothing new asks for attention, else open for it. */
export function isBannerFolded(choice: FoldChoice | null, attention: string | null): boolean {
  if (choice && choice.attention === attention) return choice.folded;
  return attention === null;
}
