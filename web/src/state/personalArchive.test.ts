// The reader's own archive on the client: listed under "Archived", kept across the shared
// conversation_updated, and left when a newer message arrives (as the server decides).
import { describe, expect, it } from 'vitest';
import type { Message, ServerEvent } from '../protocol';
import { conversation, loadedState, message } from '../testing/fixtures';
import type { ChatState } from './types';
import { reduce } from './reducer';
import { visibleConversations } from './select';

const server = (s: ChatState, event: ServerEvent) => reduce(s, { type: 'server', event, now: 1_700_000_000_000 });
const received = (m: Message): ServerEvent => ({ event: 'message_received', data: { message: m } });
const archivedForMe = (s: ChatState) => reduce(s, { type: 'conversation_upserted', conversation: { ...s.conversations.c1!, isArchivedForMe: true, lastSeq: 1 } });

describe('personal archive', () => {
  it('lists a conversation in my archive under Archived only', () => {
    const s = archivedForMe(loadedState([message(1)]));
    expect(visibleConversations(s, { type: 'all', archived: false })).toEqual([]);
    expect(visibleConversations(s, { type: 'all', archived: true }).map((c) => c.id)).toEqual(['c1']);
  });

  it('keeps it there when another reader\'s view of the conversation arrives', () => {
    let s = archivedForMe(loadedState([message(1)]));
    s = server(s, { event: 'conversation_updated', data: { conversation: conversation({ title: 'Baru', lastSeq: 1 }) } });
    expect(s.conversations.c1!.isArchivedForMe).toBe(true);
    expect(s.conversations.c1!.title).toBe('Baru');
  });

  it('moves it in and out of Archived when my own view arrives from another device (personal)', () => {
    let s = loadedState([message(1)]);
    s = server(s, { event: 'conversation_updated', data: { conversation: conversation({ isArchivedForMe: true, unreadCount: 0, lastSeq: 1 }), personal: true } });
    expect(s.conversations.c1!.isArchivedForMe).toBe(true);
    expect(visibleConversations(s, { type: 'all', archived: true }).map((c) => c.id)).toEqual(['c1']);
    expect(visibleConversations(s, { type: 'all', archived: false })).toEqual([]);
    s = server(s, { event: 'conversation_updated', data: { conversation: conversation({ isArchivedForMe: false, lastSeq: 1 }), personal: true } });
    expect(visibleConversations(s, { type: 'all', archived: false }).map((c) => c.id)).toEqual(['c1']);
  });

  it('keeps the unread count kept live here when my own view arrives', () => {
    let s = loadedState([message(1)]);
    const before = s.conversations.c1!.unreadCount;
    s = server(s, { event: 'conversation_updated', data: { conversation: conversation({ isArchivedForMe: true, unreadCount: before + 5, lastSeq: 1 }), personal: true } });
    expect(s.conversations.c1!.unreadCount).toBe(before);
  });

  it('brings it back with a newer message, not with a second copy of the newest', () => {
    let s = archivedForMe(loadedState([message(1)]));
    s = server(s, received(message(1)));
    expect(s.conversations.c1!.isArchivedForMe).toBe(true);
    s = server(s, received(message(2)));
    expect(s.conversations.c1!.isArchivedForMe).toBe(false);
    expect(visibleConversations(s, { type: 'all', archived: false }).map((c) => c.id)).toEqual(['c1']);
  });
});
