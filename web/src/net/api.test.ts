import { describe, expect, it, vi } from 'vitest';
import { ChatError } from '../protocol';
import { Api } from './api';

function fakeFetch(answers: Array<{ status: number; body: unknown; headers?: Record<string, string> }>) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const f = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    const a = answers.shift();
    if (!a) throw new TypeError('network down');
    return new Response(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), { status: a.status, headers: a.headers });
  });
  return { f: f as unknown as typeof fetch, calls };
}

const msg = { id: 'm1', conversationId: 'c1', seq: 1, senderId: 'u1', content: { text: 'hi' } };

describe('Api', () => {
  it('sends the Bearer token and unwraps the envelope', async () => {
    const { f, calls } = fakeFetch([{ status: 200, body: { success: true, data: { messages: [msg], pagination: { page: 1, limit: 50, hasMore: true } } } }]);
    const api = new Api({ getToken: () => 'tok', fetchImpl: f });
    const r = await api.listMessages('c 1', { before: 42, limit: 50 });
    expect(r.hasMore).toBe(true);
    expect(r.messages[0]!.seq).toBe(1);
    expect(calls[0]!.url).toBe('/api/conversations/c%201/messages?limit=50&before=42');
    expect((calls[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('turns an error envelope into a ChatError with the server’s code', async () => {
    const { f } = fakeFetch([{ status: 429, body: { success: false, error: { code: 'rate_limited', message: 'slow down' } }, headers: { 'Retry-After': '3' } }]);
    const api = new Api({ getToken: () => 'tok', fetchImpl: f });
    const err = await api.sendMessage('c1', { type: 'text', content: { text: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatError);
    expect(err).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: 3 });
  });

  it('maps a failure without an envelope by its HTTP status, and a dead network to `network`', async () => {
    const { f } = fakeFetch([{ status: 502, body: '<html>bad gateway</html>' }]);
    const api = new Api({ getToken: () => null, fetchImpl: f });
    await expect(api.getConversation('c1')).rejects.toMatchObject({ code: 'internal', status: 502 });
    await expect(api.getConversation('c1')).rejects.toMatchObject({ code: 'network' });
  });

  it('asks once for a fresh token on 401 and repeats the request with it', async () => {
    let token = 'old';
    const { f, calls } = fakeFetch([
      { status: 401, body: { success: false, error: { code: 'unauthorized', message: 'expired' } } },
      { status: 200, body: { success: true, data: { conversation: { id: 'c1', type: 'direct', participants: [] } } } },
    ]);
    const api = new Api({
      getToken: () => token,
      refreshToken: async () => {
        token = 'new';
        return token;
      },
      fetchImpl: f,
    });
    const c = await api.getConversation('c1');
    expect(c.id).toBe('c1');
    expect(calls.map((c) => (c.init!.headers as Record<string, string>).Authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('reports a success answer whose data does not fit as `internal`', async () => {
    const { f } = fakeFetch([{ status: 200, body: { success: true, data: { message: { id: 'm1' } } } }]);
    const api = new Api({ getToken: () => 't', fetchImpl: f });
    await expect(api.editMessage('m1', 'x')).rejects.toMatchObject({ code: 'internal' });
  });

  it('reads the notifications list, its unread total and a conversation’s mute setting', async () => {
    const n = { id: 'n1', type: 'message', conversationId: 'c1', messageId: 'm1', title: 'Budi', preview: 'hi', count: 3, createdAt: '2024-01-15T14:30:00.000Z', readAt: null };
    const { f, calls } = fakeFetch([
      { status: 200, body: { success: true, data: { notifications: [n, { bad: true }], pagination: { limit: 50, hasMore: false }, unreadCount: 7 } } },
      { status: 200, body: { success: true, data: { notifications: { muted: true, mutedUntil: null } } } },
      { status: 200, body: { success: true, data: { marked: 1, unreadCount: 0 } } },
    ]);
    const api = new Api({ getToken: () => 'tok', fetchImpl: f });
    const list = await api.listNotifications({ limit: 50 });
    expect(list).toEqual({ notifications: [{ ...n }], hasMore: false, unreadCount: 7 });
    expect(await api.setConversationMuted('c1', true)).toEqual({ muted: true, mutedUntil: null });
    expect(calls[1]).toMatchObject({ url: '/api/conversations/c1/notifications', init: { method: 'PUT', body: '{"muted":true}' } });
    await api.markNotificationsRead('n1');
    expect(calls[2]).toMatchObject({ url: '/api/notifications/read', init: { method: 'POST', body: '{"upTo":"n1"}' } });
  });
});
