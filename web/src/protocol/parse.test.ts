import { describe, expect, it } from 'vitest';
import { errorText, clientErrorCodes, codeForHttpStatus, serverErrorCodes, httpStatusOf } from './errors';
import { decodeTokenClaims, parseConversation, parseServerFrame, ProtocolError } from './parse';

const frame = (event: string, data: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ event, data, ...extra });

describe('parseServerFrame', () => {
  it('reads message_received and fills the fields API.md lets the server leave out', () => {
    const ev = parseServerFrame(
      frame('message_received', {
        message: { id: 'm1', conversationId: 'c1', seq: 7, senderId: 'u1', type: 'text', content: { text: 'Halo' }, createdAt: '2024-01-15T14:30:00.000Z' },
        changeSeq: 11,
      }),
    );
    expect(ev.event).toBe('message_received');
    if (ev.event !== 'message_received') return;
    expect(ev.data.changeSeq).toBe(11);
    expect(ev.data.message).toMatchObject({
      seq: 7,
      content: { text: 'Halo' },
      status: 'sent',
      readBy: [],
      deliveredTo: [],
      reactions: [],
      edited: false,
      replyTo: null,
      deletedAt: null,
      updatedAt: '2024-01-15T14:30:00.000Z',
      sender: { name: '' },
    });
  });

  it('rejects frames that are not JSON, name no known event, or lack a seq', () => {
    expect(() => parseServerFrame('not json')).toThrow(ProtocolError);
    expect(() => parseServerFrame(frame('launch_missiles', {}))).toThrow(ProtocolError);
    expect(() => parseServerFrame(frame('message_received', { message: { id: 'm1', conversationId: 'c1', senderId: 'u1' } }))).toThrow(/seq/);
    expect(() => parseServerFrame('[1,2]')).toThrow(ProtocolError);
  });

  it('reads sync_result with its changes and cursors (delivered never below read)', () => {
    const ev = parseServerFrame(
      frame('sync_result', {
        conversationId: 'c1',
        messages: [{ id: 'm9', conversationId: 'c1', seq: 9, senderId: 'u2' }],
        changes: [{ type: 'message_updated', message: { id: 'm2', conversationId: 'c1', seq: 2, senderId: 'u2', deletedAt: '2024-01-15T14:31:00.000Z', content: {} } }],
        readCursors: [{ userId: 'u2', readUpToSeq: 8, deliveredUpToSeq: 3 }],
        lastSeq: 9,
        lastChangeSeq: 20,
        hasMore: false,
      }),
    );
    if (ev.event !== 'sync_result') throw new Error('wrong event');
    expect(ev.data.messages.map((m) => m.seq)).toEqual([9]);
    expect(ev.data.changes[0]!.message.deletedAt).toBe('2024-01-15T14:31:00.000Z');
    expect(ev.data.readCursors).toEqual([{ userId: 'u2', readUpToSeq: 8, deliveredUpToSeq: 8 }]);
    expect(ev.data.lastChangeSeq).toBe(20);
  });

  it('carries the requestId of an error from the frame or its data', () => {
    const a = parseServerFrame(frame('error', { code: 'rate_limited', message: 'slow' }, { requestId: 'r1' }));
    const b = parseServerFrame(frame('error', { code: 'forbidden', message: 'no', requestId: 'r2' }));
    expect(a.requestId).toBe('r1');
    expect(b.requestId).toBe('r2');
    expect(a.event === 'error' && a.data.code).toBe('rate_limited');
  });

  it('reads every other server event', () => {
    expect(parseServerFrame(frame('joined', { conversationId: 'c1', lastSeq: 4, lastChangeSeq: 9, readUpToSeq: 0 })).data).toEqual({
      conversationId: 'c1',
      lastSeq: 4,
      lastChangeSeq: 9,
      readUpToSeq: 0,
    });
    expect(parseServerFrame(frame('user_presence', { userId: 'u2', status: 'online', lastSeen: null })).data).toEqual({ userId: 'u2', status: 'online', lastSeen: null });
    expect(parseServerFrame(frame('presence_digest', { conversationId: 'c1', users: [{ userId: 'u2', status: 'busy', lastSeen: 'x' }, 'junk', { userId: 'u3', status: 'gone' }] })).data).toEqual({
      conversationId: 'c1',
      users: [
        { userId: 'u2', status: 'busy', lastSeen: 'x' },
        { userId: 'u3', status: 'offline', lastSeen: null },
      ],
    });
    expect(parseServerFrame(frame('user_typing', { conversationId: 'c1', userId: 'u2', userName: 'Budi', isTyping: true })).event).toBe('user_typing');
    expect(parseServerFrame(frame('message_status', { conversationId: 'c1', messageId: 'm3', seq: 3, status: 'read', readBy: [{ userId: 'u2', readAt: 'x' }] })).data).toMatchObject({
      status: 'read',
      readBy: [{ userId: 'u2', readAt: 'x' }],
    });
    expect(parseServerFrame(frame('pong', { serverTime: '2024-01-15T14:30:00.000Z' })).event).toBe('pong');
    expect(parseServerFrame(frame('left', { conversationId: 'c1' })).event).toBe('left');
    const cu = parseServerFrame(frame('conversation_updated', { conversation: { id: 'c1', type: 'group', participants: [] } }));
    expect(cu.event === 'conversation_updated' && cu.data.conversation.type).toBe('group');
    expect(cu.event === 'conversation_updated' && cu.data.personal).toBe(undefined);
    const mine = parseServerFrame(frame('conversation_updated', { conversation: { id: 'c1', type: 'group', participants: [], isArchivedForMe: true }, personal: true }));
    expect(mine.event === 'conversation_updated' && mine.data.personal && mine.data.conversation.isArchivedForMe).toBe(true);
  });

  it('keeps an unknown status or type from leaking through as an arbitrary string', () => {
    const ev = parseServerFrame(frame('message_updated', { message: { id: 'm1', conversationId: 'c1', seq: 1, senderId: 'u', status: 'exploded', type: 'weird' } }));
    if (ev.event !== 'message_updated') throw new Error('wrong event');
    expect(ev.data.message.status).toBe('sent');
    expect(ev.data.message.type).toBe('text');
  });
});

describe('parseConversation', () => {
  it('applies the default settings of API.md', () => {
    const c = parseConversation({ id: 'c1', type: 'consultation', consultationId: 'k1', participants: [{ userId: 'u1', role: 'tutor', user: { name: 'Dr. Budi' } }] });
    expect(c.settings.maxFileSize).toBe(10485760);
    expect(c.settings.allowedFileTypes).toContain('.pdf');
    expect(c.participants[0]).toMatchObject({ userId: 'u1', role: 'tutor', leftAt: null, user: { name: 'Dr. Budi' } });
    expect(c.lastMessage).toBeNull();
  });
});

describe('decodeTokenClaims', () => {
  const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('reads sub, name, role, avatar and exp without verifying', () => {
    const token = `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'u-ayu', name: 'Ayu Lestari ✓', role: 'student', exp: 2000000000 })}.sig`;
    expect(decodeTokenClaims(token)).toEqual({ sub: 'u-ayu', name: 'Ayu Lestari ✓', role: 'student', avatar: null, exp: 2000000000 });
  });
  it('returns null for malformed tokens', () => {
    expect(decodeTokenClaims('abc')).toBeNull();
    expect(decodeTokenClaims('a.b.c')).toBeNull();
    expect(decodeTokenClaims(`${b64url({})}.${b64url({ name: 'no sub' })}.s`)).toBeNull();
  });
});

describe('error codes', () => {
  it('have words in English and Indonesian for every code', () => {
    for (const code of [...serverErrorCodes, ...clientErrorCodes]) {
      expect(errorText(code, 'en')).not.toBe('');
      expect(errorText(code, 'id')).not.toBe('');
      expect(errorText(code, 'id')).not.toBe(errorText(code, 'en'));
    }
    expect(errorText('rate_limited', 'id')).toMatch(/tunggu/);
  });
  it('fall back to a generic sentence for an unknown code', () => {
    expect(errorText('teapot', 'en')).toBe(errorText('unknown', 'en'));
  });
  it('map HTTP statuses back to codes', () => {
    for (const code of serverErrorCodes) expect(codeForHttpStatus(httpStatusOf[code])).toBe(code);
    expect(codeForHttpStatus(502)).toBe('internal');
  });
});
