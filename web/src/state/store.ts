// A tiny observable holder of ChatState: dispatch runs the pure reducer and tells subscribers.
import type { Action } from './reducer';
import { reduce } from './reducer';
import type { ChatState } from './types';
import { initialState } from './types';

export type Listener = (state: ChatState, previous: ChatState) => void;

export class Store {
  private state: ChatState;
  private readonly listeners = new Set<Listener>();

  constructor(state: ChatState = initialState()) {
    this.state = state;
  }

  get(): ChatState {
    return this.state;
  }

  dispatch(action: Action): void {
    const previous = this.state;
    const next = reduce(previous, action);
    if (next === previous) return;
    this.state = next;
    for (const l of [...this.listeners]) l(next, previous);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
