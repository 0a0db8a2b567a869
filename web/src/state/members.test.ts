import { describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../protocol';
import { conversation, participant, student, tutor } from '../testing/fixtures';
import { canLeave, canManageMembers, memberRows } from './members';

const group = conversation({
  type: 'group',
  title: 'Bimbingan',
  participants: [
    participant(student.id, student.name, 'student'),
    participant('u-citra', 'Citra', 'student'),
    participant(tutor.id, tutor.name, 'tutor'),
    participant('u-gone', 'Gone', 'student', '2024-01-02T00:00:00.000Z'),
  ],
});
const dir = (id: string, over: Partial<DirectoryUser> = {}): DirectoryUser => ({ id, name: id, avatar: null, role: 'student', isOnline: false, lastSeen: null, ...over });

describe('memberRows', () => {
  it('lists current members only, tutors first, then by name', () => {
    expect(memberRows(group, student, {}, true, {}).map((r) => r.userId)).toEqual([tutor.id, student.id, 'u-citra']);
  });

  it('marks me online while connected, and others by live presence over the directory', () => {
    const rows = memberRows(group, student, { 'u-citra': { status: 'offline', lastSeen: '2024-01-15T10:00:00.000Z' } }, true, {
      'u-citra': dir('u-citra', { isOnline: true }),
      [tutor.id]: dir(tutor.id, { isOnline: true }),
    });
    const by = Object.fromEntries(rows.map((r) => [r.userId, r]));
    expect(by[student.id]).toMatchObject({ isMe: true, online: true });
    expect(by[tutor.id]).toMatchObject({ online: true, lastSeen: null });
    expect(by['u-citra']).toMatchObject({ online: false, lastSeen: '2024-01-15T10:00:00.000Z' });
  });

  it('takes last seen from the directory when no presence arrived, and knows nobody online while disconnected', () => {
    const rows = memberRows(group, student, {}, false, { [tutor.id]: dir(tutor.id, { isOnline: true, lastSeen: '2024-01-15T09:00:00.000Z' }) });
    expect(rows.every((r) => !r.online)).toBe(true);
    expect(rows.find((r) => r.userId === tutor.id)!.lastSeen).toBe('2024-01-15T09:00:00.000Z');
  });
});

describe('who may change the members', () => {
  const room = conversation({ ...group, type: 'consultation' });
  it('tutors manage groups and rooms, not direct or archived conversations; students never', () => {
    expect(canManageMembers(group, tutor)).toBe(true);
    expect(canManageMembers(room, tutor)).toBe(true);
    expect(canManageMembers(group, student)).toBe(false);
    expect(canManageMembers(conversation(), tutor)).toBe(false);
    expect(canManageMembers({ ...group, isArchived: true }, tutor)).toBe(false);
  });

  it('a student may leave a group but not a consultation room; a tutor may leave both; nobody leaves a direct one', () => {
    expect(canLeave(group, student)).toBe(true);
    expect(canLeave(room, student)).toBe(false);
    expect(canLeave(room, tutor)).toBe(true);
    expect(canLeave(conversation(), student)).toBe(false);
    expect(canLeave(group, { ...student, id: 'u-gone' })).toBe(false);
  });
});
