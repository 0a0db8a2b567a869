// REST client for /api/* (API.md): Bearer token, the {success, data, error} envelope, typed
// answers, and ChatError with the server's code for every failure.
import type {
  AddParticipantBody,
  ChatSession,
  ConfirmConsultationBody,
  Conversation,
  ConversationType,
  CreateConversationBody,
  DevUser,
  DirectoryUser,
  EndConsultationBody,
  ListConversationsQuery,
  ListMessagesQuery,
  Message,
  PagePagination,
  PatchConversationBody,
  SearchQuery,
  SendMessageBody,
  TranscriptKey,
  InAppNotification,
  ConversationNotificationSetting,
  PushSubscriptionRecord,
} from '../protocol';
import {
  ChatError,
  codeForHttpStatus,
  isErrorCode,
  isRecord,
  parseConversation,
  parseDirectoryUser,
  parseMessage,
  parseSession,
  parseTranscriptKey,
  parseInAppNotification,
  parseConversationNotificationSetting,
  parsePushSubscriptionRecord,
  ProtocolError,
} from '../protocol';

export interface ApiOptions {
  /** Origin + path prefix, '' for the page's own origin. */
  base?: string;
  getToken: () => string | null;
  /** Called once on a 401; resolves to a fresh token, or null to give up. */
  refreshToken?: () => Promise<string | null>;
  fetchImpl?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

function queryString(q: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

/** Reads an error envelope out of any failed answer. */
export async function errorFromResponse(res: Response): Promise<ChatError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const retryAfter = Number(res.headers.get('Retry-After'));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  if (isRecord(body) && isRecord(body.error)) {
    const e = body.error;
    const code = isErrorCode(e.code) ? e.code : codeForHttpStatus(res.status);
    return new ChatError(code, typeof e.message === 'string' ? e.message : '', res.status, isRecord(e.details) ? e.details : undefined, retry);
  }
  return new ChatError(codeForHttpStatus(res.status), res.statusText, res.status, undefined, retry);
}

export class Api {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiOptions) {
    this.base = options.base ?? '';
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  /** The Authorization header value for requests made outside this class (uploads, images). */
  authHeader(): string | null {
    const t = this.options.getToken();
    return t ? `Bearer ${t}` : null;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  private async raw(method: string, path: string, body: unknown, retried: boolean): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const auth = this.authHeader();
    if (auth) headers.Authorization = auth;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path), init);
    } catch {
      throw new ChatError('network', 'network error');
    }
    if (res.status === 401 && !retried && this.options.refreshToken) {
      const fresh = await this.options.refreshToken();
      if (fresh) return this.raw(method, path, body, true);
    }
    if (!res.ok) throw await errorFromResponse(res);
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ChatError('internal', 'answer is not JSON', res.status);
    }
    if (!isRecord(json) || json.success !== true) {
      if (isRecord(json) && isRecord(json.error)) {
        const e = json.error;
        throw new ChatError(isErrorCode(e.code) ? e.code : 'unknown', typeof e.message === 'string' ? e.message : '', res.status);
      }
      throw new ChatError('internal', 'answer has no envelope', res.status);
    }
    return json.data;
  }

  /** One request; `parse` turns `data` into the typed answer (a ProtocolError becomes `internal`). */
  async request<T>(method: string, path: string, body: unknown, parse: (data: unknown) => T): Promise<T> {
    const data = await this.raw(method, path, body, false);
    try {
      return parse(data);
    } catch (e) {
      if (e instanceof ProtocolError) throw new ChatError('internal', e.message);
      throw e;
    }
  }

  // ---- dev mode ----

  devUsers(): Promise<DevUser[]> {
    return this.request('GET', '/api/dev/users', undefined, (d) => {
      const users = isRecord(d) && Array.isArray(d.users) ? d.users : [];
      return users.flatMap((u): DevUser[] =>
        isRecord(u) && typeof u.id === 'string'
          ? [{
              id: u.id,
              name: typeof u.name === 'string' ? u.name : u.id,
              role: u.role === 'tutor' || u.role === 'admin' || u.role === 'service' ? u.role : 'student',
            }]
          : [],
      );
    });
  }

  devToken(userId: string): Promise<string> {
    return this.request('POST', '/api/dev/token', { userId }, (d) => {
      if (isRecord(d) && typeof d.token === 'string') return d.token;
      throw new ProtocolError('token missing');
    });
  }

  // ---- conversations ----

  listConversations(q: ListConversationsQuery = {}): Promise<{ conversations: Conversation[]; pagination: PagePagination }> {
    const query = queryString({ page: q.page, limit: q.limit, type: q.type, archived: q.archived });
    return this.request('GET', `/api/conversations${query}`, undefined, (d) => {
      const r = isRecord(d) ? d : {};
      const conversations = (Array.isArray(r.conversations) ? r.conversations : []).map(parseConversation);
      const p = isRecord(r.pagination) ? r.pagination : {};
      const num = (v: unknown, f: number) => (typeof v === 'number' ? v : f);
      return {
        conversations,
        pagination: { page: num(p.page, 1), limit: num(p.limit, conversations.length), total: num(p.total, conversations.length), totalPages: num(p.totalPages, 1) },
      };
    });
  }

  getConversation(id: string): Promise<Conversation> {
    return this.request('GET', `/api/conversations/${seg(id)}`, undefined, conversationOf);
  }

  createConversation(body: CreateConversationBody): Promise<Conversation> {
    return this.request('POST', '/api/conversations', body, conversationOf);
  }

  patchConversation(id: string, body: PatchConversationBody): Promise<Conversation> {
    return this.request('PATCH', `/api/conversations/${seg(id)}`, body, conversationOf);
  }

  /** The caller's own archive (hide from my list), not a tutor's archive for everyone. */
  setArchivedForMe(id: string, archived: boolean): Promise<Conversation> {
    return this.request('PUT', `/api/conversations/${seg(id)}/archive`, { archived }, conversationOf);
  }

  addParticipant(id: string, body: AddParticipantBody): Promise<Conversation | null> {
    return this.request('POST', `/api/conversations/${seg(id)}/participants`, body, maybeConversation);
  }

  removeParticipant(id: string, userId: string): Promise<Conversation | null> {
    return this.request('DELETE', `/api/conversations/${seg(id)}/participants/${seg(userId)}`, undefined, maybeConversation);
  }

  // ---- users ----

  /** The directory: users the caller may find by name (q), or one conversation's members. */
  findUsers(q: { q?: string; conversationId?: string; limit?: number; page?: number } = {}): Promise<{ users: DirectoryUser[]; total: number }> {
    const query = queryString({ q: q.q?.trim(), conversationId: q.conversationId, limit: q.limit, page: q.page });
    return this.request('GET', `/api/users${query}`, undefined, (d) => {
      const r = isRecord(d) ? d : {};
      const users = (Array.isArray(r.users) ? r.users : []).flatMap((u) => parseDirectoryUser(u) ?? []);
      const p = isRecord(r.pagination) ? r.pagination : {};
      return { users, total: typeof p.total === 'number' ? p.total : users.length };
    });
  }

  // ---- consultation sessions (participants) ----

  sessions(conversationId: string): Promise<ChatSession[]> {
    return this.request('GET', `/api/conversations/${seg(conversationId)}/sessions`, undefined, (d) => {
      const list = isRecord(d) && Array.isArray(d.sessions) ? d.sessions : [];
      return list.flatMap((s) => {
        const p = parseSession(s);
        return p ? [p] : [];
      });
    });
  }

  rateSession(sessionId: string, rating: number, comment: string): Promise<ChatSession> {
    const body = comment.trim() ? { rating, comment: comment.trim() } : { rating };
    return this.request('POST', `/api/sessions/${seg(sessionId)}/rating`, body, sessionOf);
  }

  /** The sealed transcript `{transcript, signature}` exactly as parsed from the answer: it is
   * checked byte for byte, so it is not reshaped into client types. */
  transcript(sessionId: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/api/sessions/${seg(sessionId)}/transcript`, undefined, (d) => {
      if (!isRecord(d)) throw new ProtocolError('data missing');
      return d;
    });
  }

  transcriptKeys(): Promise<TranscriptKey[]> {
    return this.request('GET', '/api/transcripts/keys', undefined, (d) => {
      const list = isRecord(d) && Array.isArray(d.keys) ? d.keys : [];
      return list.flatMap((k) => {
        const p = parseTranscriptKey(k);
        return p ? [p] : [];
      });
    });
  }

  // ---- the consultation service's lifecycle calls (role: service tokens only) ----

  confirmConsultation(consultationId: string, body: ConfirmConsultationBody): Promise<Conversation> {
    return this.request('PUT', `/api/consultations/${seg(consultationId)}/chat`, body, conversationOf);
  }

  startConsultation(consultationId: string): Promise<ChatSession> {
    return this.request('POST', `/api/consultations/${seg(consultationId)}/start`, undefined, sessionOf);
  }

  endConsultation(consultationId: string, body: EndConsultationBody): Promise<ChatSession> {
    return this.request('POST', `/api/consultations/${seg(consultationId)}/end`, body, sessionOf);
  }

  cancelConsultation(consultationId: string): Promise<Conversation> {
    return this.request('DELETE', `/api/consultations/${seg(consultationId)}/chat`, undefined, conversationOf);
  }

  // ---- messages ----

  listMessages(conversationId: string, q: ListMessagesQuery = {}): Promise<{ messages: Message[]; hasMore: boolean }> {
    const query = queryString({ page: q.page, limit: q.limit, before: q.before, afterSeq: q.afterSeq, search: q.search });
    return this.request('GET', `/api/conversations/${seg(conversationId)}/messages${query}`, undefined, (d) => {
      const r = isRecord(d) ? d : {};
      const messages = (Array.isArray(r.messages) ? r.messages : []).map(parseMessage);
      const hasMore = isRecord(r.pagination) && r.pagination.hasMore === true;
      return { messages, hasMore };
    });
  }

  sendMessage(conversationId: string, body: SendMessageBody): Promise<Message> {
    return this.request('POST', `/api/conversations/${seg(conversationId)}/messages`, body, messageOf);
  }

  editMessage(id: string, text: string): Promise<Message> {
    return this.request('PATCH', `/api/messages/${seg(id)}`, { content: { text } }, messageOf);
  }

  deleteMessage(id: string): Promise<Message> {
    return this.request('DELETE', `/api/messages/${seg(id)}`, undefined, messageOf);
  }

  addReaction(id: string, emoji: string): Promise<Message> {
    return this.request('POST', `/api/messages/${seg(id)}/reactions`, { emoji }, messageOf);
  }

  removeReaction(id: string, emoji: string): Promise<Message> {
    return this.request('DELETE', `/api/messages/${seg(id)}/reactions/${seg(emoji)}`, undefined, messageOf);
  }

  thread(id: string): Promise<{ root: Message; replies: Message[]; hasMore: boolean }> {
    return this.request('GET', `/api/messages/${seg(id)}/thread`, undefined, (d) => {
      const r = isRecord(d) ? d : {};
      const rootRaw = r.root ?? r.message;
      const repliesRaw = Array.isArray(r.replies) ? r.replies : Array.isArray(r.messages) ? r.messages : [];
      const hasMore = isRecord(r.pagination) && r.pagination.hasMore === true;
      return { root: parseMessage(rootRaw), replies: repliesRaw.map(parseMessage), hasMore };
    });
  }

  markRead(conversationId: string, upToSeq: number): Promise<unknown> {
    return this.request('POST', `/api/conversations/${seg(conversationId)}/read`, { upToSeq }, (d) => d);
  }

  search(q: SearchQuery): Promise<Message[]> {
    const query = queryString({ q: q.q, conversationId: q.conversationId, limit: q.limit });
    return this.request('GET', `/api/search${query}`, undefined, (d) => {
      const list = isRecord(d) && Array.isArray(d.messages) ? d.messages : isRecord(d) && Array.isArray(d.results) ? d.results : [];
      return list.map(parseMessage);
    });
  }

  // ---- notifications (API.md "Notifications") ----

  /** The server's VAPID public key: base64url of an uncompressed P-256 point. */
  vapidKey(): Promise<string> {
    return this.request('GET', '/api/notifications/vapid-key', undefined, (d) => {
      if (isRecord(d) && typeof d.publicKey === 'string' && d.publicKey) return d.publicKey;
      throw new ProtocolError('publicKey missing');
    });
  }

  addPushSubscription(body: { endpoint: string; keys: { p256dh: string; auth: string }; userAgent?: string }): Promise<PushSubscriptionRecord> {
    return this.request('POST', '/api/notifications/subscriptions', body, (d) => {
      const s = isRecord(d) ? parsePushSubscriptionRecord(d.subscription) : null;
      if (!s) throw new ProtocolError('subscription missing');
      return s;
    });
  }

  deletePushSubscription(id: string): Promise<unknown> {
    return this.request('DELETE', `/api/notifications/subscriptions/${seg(id)}`, undefined, (d) => d);
  }

  listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    return this.request('GET', '/api/notifications/subscriptions', undefined, (d) =>
      (isRecord(d) && Array.isArray(d.subscriptions) ? d.subscriptions : []).flatMap((x) => parsePushSubscriptionRecord(x) ?? []),
    );
  }

  /** `unreadCount` is the server's total when it sends one (beyond the page), else null. */
  listNotifications(q: { limit?: number; before?: string } = {}): Promise<{ notifications: InAppNotification[]; hasMore: boolean; unreadCount: number | null }> {
    return this.request('GET', `/api/notifications${queryString({ limit: q.limit, before: q.before })}`, undefined, (d) => {
      const r = isRecord(d) ? d : {};
      const notifications = (Array.isArray(r.notifications) ? r.notifications : []).flatMap((x) => parseInAppNotification(x) ?? []);
      const unreadCount = typeof r.unreadCount === 'number' && r.unreadCount >= 0 ? Math.floor(r.unreadCount) : null;
      return { notifications, hasMore: isRecord(r.pagination) && r.pagination.hasMore === true, unreadCount };
    });
  }

  markNotificationsRead(upTo: string): Promise<unknown> {
    return this.request('POST', '/api/notifications/read', { upTo }, (d) => d);
  }

  conversationNotifications(conversationId: string): Promise<ConversationNotificationSetting> {
    return this.request('GET', `/api/conversations/${seg(conversationId)}/notifications`, undefined, settingOf);
  }

  setConversationMuted(conversationId: string, muted: boolean): Promise<ConversationNotificationSetting> {
    return this.request('PUT', `/api/conversations/${seg(conversationId)}/notifications`, { muted }, settingOf);
  }
}

function settingOf(d: unknown): ConversationNotificationSetting {
  return parseConversationNotificationSetting(isRecord(d) ? d.notifications : undefined);
}

function conversationOf(d: unknown): Conversation {
  if (!isRecord(d)) throw new ProtocolError('data missing');
  return parseConversation(d.conversation);
}

function sessionOf(d: unknown): ChatSession {
  const s = isRecord(d) ? parseSession(d.session) : null;
  if (!s) throw new ProtocolError('session missing');
  return s;
}

function maybeConversation(d: unknown): Conversation | null {
  return isRecord(d) && isRecord(d.conversation) ? parseConversation(d.conversation) : null;
}

function messageOf(d: unknown): Message {
  if (!isRecord(d)) throw new ProtocolError('data missing');
  return parseMessage(d.message);
}

/** Types the "new conversation" form may create as a student or tutor. */
export const creatableTypes: ConversationType[] = ['direct', 'group'];
