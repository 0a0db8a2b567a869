// When to send `typing` events: isTyping:true at most every `intervalMs` while the user types
// (the server lets it lapse after 6 s), isTyping:false once after `idleMs` without input, on
// send and on leaving the conversation.

export class TypingThrottle {
  private lastSentAt = -Infinity;
  private typing = false;
  private idleTimer: unknown = null;

  constructor(
    private readonly send: (isTyping: boolean) => void,
    private readonly intervalMs = 3000,
    private readonly idleMs = 5000,
    private readonly now: () => number = () => Date.now(),
    // Wrapped: browsers throw "Illegal invocation" when setTimeout is called as a method of another object.
    private readonly timers: { set: (f: () => void, ms: number) => unknown; clear: (h: unknown) => void } = {
      set: (f, ms) => setTimeout(f, ms),
      clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    },
  ) {}

  /** The user changed the draft. Empty drafts count as stopping. */
  input(draftIsEmpty: boolean): void {
    if (draftIsEmpty) {
      this.stop();
      return;
    }
    const t = this.now();
    if (!this.typing || t - this.lastSentAt >= this.intervalMs) {
      this.typing = true;
      this.lastSentAt = t;
      this.send(true);
    }
    if (this.idleTimer !== null) this.timers.clear(this.idleTimer);
    this.idleTimer = this.timers.set(() => this.stop(), this.idleMs);
  }

  /** Sent, cleared, or left: say "stopped" once if "typing" was said. */
  stop(): void {
    if (this.idleTimer !== null) {
      this.timers.clear(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.typing) {
      this.typing = false;
      this.lastSentAt = -Infinity;
      this.send(false);
    }
  }
}
