// The member list of a conversation and who may change it: pure functions over the
// conversation, live presence and what the directory said when the list was opened.
import type { Conversation, DirectoryUser, Role } from '../protocol';
import type { Me, Presence } from './types';

export interface MemberRow {
  userId: string;
  name: string;
  /** The role in this conversation. */
  role: Role;
  isMe: boolean;
  online: boolean;
  /** When they were last seen, for those not online; null when unknown. */
  lastSeen: string | null;
}

const roleOrder: Record<Role, number> = { tutor: 0, admin: 1, student: 2, service: 3 };

/**
 * The current members: tutors first, then admins, then students, each by name. Online comes
 * from live presence when an event about the user arrived on this connection, else from the
 * directory's answer; nobody else is online while this client is disconnected (nothing is known
 * then), but the caller always is while connected.
 */
export function memberRows(
  conv: Conversation,
  me: Me | null,
  presence: Record<string, Presence>,
  connected: boolean,
  directory: Record<string, DirectoryUser>,
): MemberRow[] {
  return conv.participants
    .filter((p) => p.leftAt === null && p.role !== 'service')
    .map((p): MemberRow => {
      const isMe = p.userId === me?.id;
      const live = presence[p.userId];
      const known = directory[p.userId];
      const online = connected && (isMe || (live ? live.status !== 'offline' : known?.isOnline === true));
      const lastSeen = online ? null : (live?.lastSeen ?? known?.lastSeen ?? null);
      return { userId: p.userId, name: p.user.name || known?.name || p.userId, role: p.role, isMe, online, lastSeen };
    })
    .sort((a, b) => roleOrder[a.role] - roleOrder[b.role] || a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
}

function myParticipant(conv: Conversation, me: Me | null) {
  return me ? conv.participants.find((p) => p.userId === me.id && p.leftAt === null) : undefined;
}

/** Tutors and admins (by their role here, else their token's) add and remove members of groups and rooms. */
export function canManageMembers(conv: Conversation, me: Me | null): boolean {
  if (!me || conv.type === 'direct' || conv.isArchived) return false;
  const role = myParticipant(conv, me)?.role ?? me.role;
  return role === 'tutor' || role === 'admin';
}

/** Leaving is for groups and rooms; a student does not walk out of their consultation room. */
export function canLeave(conv: Conversation, me: Me | null): boolean {
  const mine = myParticipant(conv, me);
  if (!mine || conv.type === 'direct') return false;
  return !(conv.type === 'consultation' && mine.role === 'student');
}
