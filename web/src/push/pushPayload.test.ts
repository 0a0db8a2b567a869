import { describe, expect, it } from 'vitest';
import { notificationFor, parsePushPayload } from './pushPayload';

const origin = 'https://chat.example';

describe('push payload', () => {
  it('shows the title and body, tagged by conversation, opening its address', () => {
    const p = parsePushPayload(JSON.stringify({ id: 'n1', type: 'message', conversationId: 'c 1', title: 'Dr. Budi', body: 'Bab 3 sudah saya baca', url: '/#/c/c%201' }), origin);
    expect(notificationFor(p)).toEqual({
      title: 'Dr. Budi',
      options: { body: 'Bab 3 sudah saya baca', tag: 'c 1', data: { id: 'n1', conversationId: 'c 1', url: '/#/c/c%201' } },
    });
  });

  it('reads the webhook name `preview` and makes the address when there is no url', () => {
    const p = parsePushPayload(JSON.stringify({ id: 'n2', conversationId: 'abc', title: 'T', preview: 'hi' }), origin);
    expect(p).toMatchObject({ body: 'hi', url: '/#/c/abc', type: 'message' });
  });

  it('never opens another origin', () => {
    const p = parsePushPayload(JSON.stringify({ id: 'n3', conversationId: 'abc', title: 'T', body: '', url: 'https://evil.example/#/c/abc' }), origin);
    expect(p?.url).toBe('/#/c/abc');
    expect(parsePushPayload(JSON.stringify({ id: 'n4', title: 'T', url: 'javascript:alert(1)' }), origin)?.url).toBe('/');
  });

  it('still shows something for a push it cannot read', () => {
    expect(parsePushPayload('not json', origin)).toBeNull();
    expect(notificationFor(null).title).toBe('Writeen Chat');
  });
});
