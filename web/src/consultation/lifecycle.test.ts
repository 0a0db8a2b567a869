import { describe, expect, it } from 'vitest';
import type { ChatSession, Message } from '../protocol';
import { message } from '../testing/fixtures';
import { consultationState, elapsed, lifecycleMessages } from './lifecycle';

function sys(seq: number, action: string, data: Record<string, unknown> = {}): Message {
  return message(seq, { type: 'system', content: { systemMessage: { action, data } } });
}

function session(over: Partial<ChatSession> = {}): ChatSession {
  return {
    id: 's1',
    consultationId: 'k1',
    startTime: '2024-01-15T14:00:02.000Z',
    endTime: null,
    duration: null,
    participants: [],
    summary: { totalMessages: 0, filesShared: 0, keyTopics: [], actionItems: [], sessionNotes: '' },
    analytics: { responseTime: null, engagement: null, satisfaction: null },
    ...over,
  };
}

const confirmed = sys(1, 'consultation_confirmed', { scheduledStart: '2024-01-20T09:00:00.000Z', scheduledEnd: '2024-01-20T10:00:00.000Z' });

describe('consultationState', () => {
  it('is unscheduled for a room without lifecycle messages or sessions', () => {
    expect(consultationState([], []).phase).toBe('unscheduled');
  });

  it('is scheduled with the time of the latest confirmation or rescheduling', () => {
    const re = sys(3, 'consultation_rescheduled', { scheduledStart: '2024-01-21T09:00:00.000Z', scheduledEnd: '2024-01-21T10:00:00.000Z' });
    const s = consultationState(lifecycleMessages([confirmed, message(2), re]), []);
    expect(s).toMatchObject({ phase: 'scheduled', scheduledStart: '2024-01-21T09:00:00.000Z', scheduledEnd: '2024-01-21T10:00:00.000Z' });
  });

  it('goes live with the started message, before the sessions list has caught up', () => {
    const started = sys(2, 'consultation_started', { sessionId: 's1', startTime: '2024-01-15T14:00:02.000Z' });
    expect(consultationState([confirmed, started], [])).toMatchObject({ phase: 'live', sessionId: 's1', startTime: '2024-01-15T14:00:02.000Z' });
  });

  it('ends with the ended message and names the session to rate', () => {
    const started = sys(2, 'consultation_started', { sessionId: 's1', startTime: '2024-01-15T14:00:02.000Z' });
    const ended = sys(9, 'consultation_ended', { sessionId: 's1', startTime: '2024-01-15T14:00:02.000Z', endTime: '2024-01-15T14:00:09.000Z' });
    expect(consultationState([confirmed, started, ended], [session()])).toMatchObject({ phase: 'ended', sessionId: 's1', endTime: '2024-01-15T14:00:09.000Z' });
  });

  it('takes the session state from the sessions list when the history page does not reach back', () => {
    expect(consultationState([], [session()])).toMatchObject({ phase: 'live', sessionId: 's1' });
    const done = session({ endTime: '2024-01-15T15:00:00.000Z' });
    expect(consultationState([], [done])).toMatchObject({ phase: 'ended', sessionId: 's1', endTime: '2024-01-15T15:00:00.000Z' });
  });

  it('is cancelled after consultation_cancelled, even with a session that ended just before', () => {
    const cancelled = sys(20, 'consultation_cancelled');
    const done = session({ endTime: cancelled.createdAt });
    expect(consultationState([confirmed, cancelled], [done]).phase).toBe('cancelled');
  });
});

describe('elapsed', () => {
  it('counts minutes and seconds, hours once there are any', () => {
    const start = '2024-01-15T14:00:00.000Z';
    expect(elapsed(start, Date.parse(start) + 65_000)).toBe('01:05');
    expect(elapsed(start, Date.parse(start) + 3_725_000)).toBe('1:02:05');
    expect(elapsed(start, Date.parse(start) - 5000)).toBe('00:00');
  });
});
