// Where a consultation stands, read from what the server already pushes: the room's
// `consultation_*` system messages (live through message_received, on every participant's
// socket) and the sessions list, fetched when the room opens and again only when such a message
// arrives. The list covers what the loaded history page does not reach back to.
import type { ChatSession, Message, Timestamp } from '../protocol';

export type ConsultationPhase = 'unscheduled' | 'scheduled' | 'live' | 'ended' | 'cancelled';

export interface ConsultationState {
  phase: ConsultationPhase;
  scheduledStart: Timestamp | null;
  scheduledEnd: Timestamp | null;
  /** The open session (live) or the last one that ended (ended). */
  sessionId: string | null;
  startTime: Timestamp | null;
  endTime: Timestamp | null;
}

const lifecycleActions = new Set(['consultation_confirmed', 'consultation_rescheduled', 'consultation_started', 'consultation_ended', 'consultation_cancelled']);

/** The room's lifecycle system messages, by seq. */
export function lifecycleMessages(messages: readonly Message[]): Message[] {
  return messages.filter((m) => m.type === 'system' && !m.deletedAt && lifecycleActions.has(m.content.systemMessage?.action ?? ''));
}

interface Step {
  phase: Exclude<ConsultationPhase, 'unscheduled'>;
  at: Timestamp;
  sessionId: string | null;
  startTime: Timestamp | null;
  endTime: Timestamp | null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function stepOf(m: Message): Step | null {
  const sys = m.content.systemMessage;
  const data = sys?.data ?? {};
  const base = { at: m.createdAt, sessionId: text(data.sessionId), startTime: text(data.startTime), endTime: text(data.endTime) };
  switch (sys?.action) {
    case 'consultation_confirmed':
    case 'consultation_rescheduled':
      return { ...base, phase: 'scheduled' };
    case 'consultation_started':
      return { ...base, phase: 'live', startTime: base.startTime ?? m.createdAt };
    case 'consultation_ended':
      return { ...base, phase: 'ended', endTime: base.endTime ?? m.createdAt };
    case 'consultation_cancelled':
      return { ...base, phase: 'cancelled' };
    default:
      return null;
  }
}

function stepsOfSession(s: ChatSession): Step[] {
  const started: Step = { phase: 'live', at: s.startTime, sessionId: s.id, startTime: s.startTime, endTime: null };
  return s.endTime ? [started, { phase: 'ended', at: s.endTime, sessionId: s.id, startTime: s.startTime, endTime: s.endTime }] : [started];
}

/** The consultation's current state from its lifecycle messages and (when fetched) its sessions. */
export function consultationState(lifecycle: readonly Message[], sessions: readonly ChatSession[]): ConsultationState {
  // Messages and sessions describe the same steps at the same server times; a message wins a
  // tie (it is what just arrived), and the latest step is where the consultation stands.
  const steps = [...sessions.flatMap(stepsOfSession), ...lifecycle.flatMap((m) => stepOf(m) ?? [])];
  steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const schedule = [...lifecycle].reverse().find((m) => stepOf(m)?.phase === 'scheduled')?.content.systemMessage?.data ?? {};
  const last = steps[steps.length - 1];
  return {
    phase: last?.phase ?? 'unscheduled',
    scheduledStart: text(schedule.scheduledStart),
    scheduledEnd: text(schedule.scheduledEnd),
    sessionId: last && (last.phase === 'live' || last.phase === 'ended') ? last.sessionId : null,
    startTime: last?.phase === 'live' || last?.phase === 'ended' ? last.startTime : null,
    endTime: last?.phase === 'ended' ? last.endTime : null,
  };
}

/** "12:05" or "1:02:05": how long a session has been running at `now`. */
export function elapsed(startTime: Timestamp, now: number): string {
  const total = Math.max(0, Math.floor((now - Date.parse(startTime)) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
