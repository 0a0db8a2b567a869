// Wires the pieces together for the UI: token, REST, the WebSocket, the store, uploads, and
// browser notifications. Components call these methods; they never talk to the network.
import { TokenHolder, allowedTokenOrigins, listenForPostedTokens, requestPostedToken, takeFragmentToken } from '../auth/token';
import type { Conversation, ConversationType, DirectoryUser, ErrorCode, Lang, Message, ServerEvent } from '../protocol';
import { ChatError } from '../protocol';
import { Api } from '../net/api';
import { ConnectionManager } from '../net/connection';
import { Uploads } from '../net/uploads';
import { Downloads } from '../net/downloads';
import { DownloadHistory } from '../net/downloadHistory';
import { saveBlob } from '../net/files';
import type { ChatState, Me } from '../state';
import { Store, loadOutbox, newClientMessageId, saveOutbox } from '../state';
import { DemoService } from '../consultation/demoService';
import { SessionMarks } from '../consultation/localMarks';
import { notifyIfHidden } from './notify';
import { PushSubscriptions } from '../push/subscription';
import { clearSnapshot, loadSnapshot, saveSnapshot, takeSnapshot } from '../offline/snapshot';

export interface ClientEnv {
  win: Window;
  storage: Storage | null;
}

/** Whether `GET /api/dev/users` answered: the server runs with --dev. */
export type DevMode = 'unknown' | 'yes' | 'no';

/** The member pages read for presence when a conversation opens (100 members each). */
const presencePages = 10;

export class ChatClient {
  readonly store = new Store();
  readonly tokens = new TokenHolder();
  readonly api: Api;
  readonly connection: ConnectionManager;
  readonly uploads: Uploads;
  readonly downloads: Downloads;
  /** The signed-in user's stored list of finished downloads; null while nobody is signed in. */
  private downloadHistory: DownloadHistory | null = null;
  private devUserId: string | null = null;
  private demo: DemoService | null = null;
  private readonly origins: string[];
  private stopListening: (() => void) | null = null;
  private readonly loadingHistory = new Set<string>();
  lang: Lang = 'en';

  constructor(private readonly env: ClientEnv) {
    this.origins = allowedTokenOrigins(env.win.document);
    this.api = new Api({ getToken: () => this.tokens.get(), refreshToken: () => this.refreshToken() });
    const loc = env.win.location;
    const wsBase = `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}`;
    this.connection = new ConnectionManager({
      store: this.store,
      url: (token) => `${wsBase}/ws?token=${encodeURIComponent(token)}`,
      getToken: () => this.tokens.get(),
      refreshToken: () => this.refreshToken(),
      tokenExpiry: () => this.tokens.claims()?.exp ?? 0,
      isOnline: () => env.win.navigator.onLine !== false,
      onEvent: (ev) => this.onServerEvent(ev),
    });
    this.uploads = new Uploads(this.api, this.store);
    this.downloads = new Downloads({ url: (p) => this.api.url(p), authorization: () => this.api.authHeader(), save: saveBlob });
    // Every change of the list is merged into the stored one, which may bring another tab's
    // entries; a write by another tab reaches this one through the storage event.
    this.downloads.subscribe((list) => {
      const merged = this.downloadHistory?.save(list, this.downloads.clearedAt());
      if (merged) this.downloads.adopt(merged);
    });
    env.win.addEventListener('storage', (e) => {
      const history = this.downloadHistory;
      // A null key: the whole localStorage was cleared.
      if (history && (e.key === history.key || e.key === null)) this.downloads.adopt(history.load());
    });
    this.store.subscribe((s, prev) => {
      if (s.me && s.outbox !== prev.outbox) saveOutbox(env.storage, s.me.id, s.outbox);
      if (s.me && !s.offlineCopy && (s.conversations !== prev.conversations || s.logs !== prev.logs)) this.scheduleSnapshot();
      // A new connection forgot all presence (reducer): read the open conversation's again.
      if (s.connection.status === 'online' && s.connection.connectionId !== prev.connection.connectionId && s.activeConversationId) {
        void this.readPresence(s.activeConversationId);
      }
    });
  }

  private snapshotTimer: ReturnType<typeof setTimeout> | null = null;

  /** Keeps the offline snapshot current, at most once a second (offline/snapshot.ts). */
  private scheduleSnapshot(): void {
    if (this.snapshotTimer !== null) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      const s = this.store.get();
      if (s.offlineCopy) return;
      const snap = takeSnapshot(s);
      if (snap) saveSnapshot(this.env.storage, snap);
    }, 1000);
  }

  /**
   * No network at start: the last conversations of `userId` (or of the last user when the
   * token is to come from the Writeen app) from the device's snapshot, read-only; back online,
   * the page reloads and signs in as usual. False when there is no snapshot to show.
   */
  private showOfflineCopy(userId: string | null, onSignedIn: () => void): boolean {
    const snap = loadSnapshot(this.env.storage);
    if (!snap || (userId !== null && snap.me.id !== userId)) return false;
    this.store.dispatch({ type: 'signed_in', me: snap.me, outbox: loadOutbox(this.env.storage, snap.me.id) });
    this.store.dispatch({ type: 'offline_copy' });
    this.store.dispatch({ type: 'conversations_loaded', conversations: snap.conversations });
    for (const [conversationId, messages] of Object.entries(snap.messages)) {
      this.store.dispatch({ type: 'history_loaded', conversationId, messages, hasMore: false, older: false });
    }
    this.env.win.addEventListener('online', () => this.env.win.location.reload(), { once: true });
    onSignedIn();
    return true;
  }

  /** Takes a token from the URL fragment or a posted message; dev sign-in is the UI's choice. */
  boot(onSignedIn: () => void): void {
    const fromFragment = takeFragmentToken(this.env.win.location, this.env.win.history);
    this.stopListening = listenForPostedTokens(this.env.win, this.origins, (t) => {
      const first = this.tokens.get() === null;
      if (this.tokens.set(t) && first) {
        this.signedIn();
        onSignedIn();
      }
    });
    if (fromFragment && this.tokens.set(fromFragment)) {
      this.signedIn();
      onSignedIn();
      return;
    }
    requestPostedToken(this.env.win, this.origins);
    const devUser = this.sessionGet('writeen-chat-dev-user');
    if (devUser) {
      void this.signInDev(devUser).then(
        () => onSignedIn(),
        (e: unknown) => {
          const unreachable = e instanceof ChatError && (e.code === 'network' || e.code === 'timeout' || e.code === 'unavailable');
          if (unreachable && this.showOfflineCopy(devUser, onSignedIn)) return;
          this.sessionRemove('writeen-chat-dev-user');
        },
      );
    } else if (this.env.win.navigator.onLine === false) {
      this.showOfflineCopy(null, onSignedIn);
    }
  }

  private sessionGet(key: string): string | null {
    try {
      return this.env.win.sessionStorage.getItem(key);
    } catch {
      return null;
    }
  }

  private sessionRemove(key: string): void {
    try {
      this.env.win.sessionStorage.removeItem(key);
    } catch {
      /* blocked */
    }
  }

  async signInDev(userId: string): Promise<void> {
    const token = await this.api.devToken(userId);
    if (!this.tokens.set(token)) throw new ChatError('unauthorized', 'bad token');
    this.devUserId = userId;
    try {
      this.env.win.sessionStorage.setItem('writeen-chat-dev-user', userId);
    } catch {
      /* blocked */
    }
    this.signedIn();
  }

  private signedIn(): void {
    const c = this.tokens.claims();
    if (!c) return;
    const me: Me = { id: c.sub, name: c.name, role: c.role, avatar: c.avatar };
    this.store.dispatch({ type: 'signed_in', me, outbox: loadOutbox(this.env.storage, me.id) });
    this.downloadHistory = new DownloadHistory(this.env.storage, me.id);
    this.downloads.adopt(this.downloadHistory.load());
    this.connection.start();
  }

  signOut(): void {
    this.connection.stop();
    this.tokens.clear();
    this.devUserId = null;
    this.sessionRemove('writeen-chat-dev-user');
    if (this.snapshotTimer !== null) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = null;
    // The next person on this device sees nothing of ours offline either.
    clearSnapshot(this.env.storage);
    this.store.dispatch({ type: 'signed_out' });
    // What this user downloaded is theirs: neither the list nor its stored copy stays behind.
    this.downloads.reset();
    this.downloadHistory?.clear();
    this.downloadHistory = null;
    // The next person to sign in on this device starts at their list, not in our conversation.
    const loc = this.env.win.location;
    if (loc.hash) this.env.win.history.replaceState(null, '', loc.pathname + loc.search);
  }

  /** A fresh token: a new dev token, or one posted by the Writeen app within 15 s. */
  private async refreshToken(): Promise<string | null> {
    if (this.devUserId) {
      try {
        const t = await this.api.devToken(this.devUserId);
        return this.tokens.set(t) ? t : null;
      } catch (e) {
        // The server is down or restarting: nothing says the token is bad, so keep it and let
        // the connection go on retrying with backoff instead of giving up as "unauthorized".
        const code = e instanceof ChatError ? e.code : 'unknown';
        if (code === 'network' || code === 'unavailable' || code === 'internal') return this.tokens.get();
        return null;
      }
    }
    if (!requestPostedToken(this.env.win, this.origins)) return null;
    return this.tokens.waitForNext(15_000);
  }

  /** The demo consultation service: only when signed in through the dev picker (--dev). */
  get demoService(): DemoService | null {
    if (!this.devUserId) return null;
    this.demo ??= new DemoService(this.api);
    return this.demo;
  }

  /** This user's device-local marks on consultation sessions (ratings given, ticked items). */
  sessionMarks(): SessionMarks | null {
    const me = this.store.get().me;
    return me ? new SessionMarks(this.env.storage, me.id) : null;
  }

  /** This browser's Web Push subscription for the signed-in user (the settings switch). */
  pushSubscriptions(): PushSubscriptions | null {
    const me = this.store.get().me;
    return me ? new PushSubscriptions(this.env.win, this.api, this.env.storage, me.id) : null;
  }

  get state(): ChatState {
    return this.store.get();
  }

  // ---- conversations ----

  async loadConversations(type: ConversationType | 'all', archived: boolean): Promise<void> {
    const all: Conversation[] = [];
    for (let page = 1; page <= 5; page++) {
      const r = await this.api.listConversations({ page, limit: 100, archived, ...(type !== 'all' ? { type } : {}) });
      all.push(...r.conversations);
      if (page >= r.pagination.totalPages) break;
    }
    this.store.dispatch({ type: 'conversations_loaded', conversations: all });
  }

  async openConversation(id: string | null): Promise<void> {
    this.connection.setActiveConversation(id);
    if (!id) return;
    void this.readPresence(id);
    const log = this.store.get().logs[id];
    if (!log?.loaded && !this.loadingHistory.has(id)) {
      this.loadingHistory.add(id);
      try {
        if (!this.store.get().conversations[id]) {
          const conv = await this.api.getConversation(id);
          this.store.dispatch({ type: 'conversation_upserted', conversation: conv });
        }
        const r = await this.api.listMessages(id, { limit: 50 });
        this.store.dispatch({ type: 'history_loaded', conversationId: id, messages: r.messages, hasMore: r.hasMore, older: false });
      } finally {
        this.loadingHistory.delete(id);
      }
      this.connection.sync(id);
    }
    this.markRead(id);
  }

  /**
   * Reads who in a group or room is online now (the member list's `isOnline`): in a large
   * conversation the server pushes a member's presence only as `presence_digest` while it is
   * viewed, so an arrival before the opening would otherwise be unknown (docs/API-NOTES.md,
   * "Presence in large conversations"). Direct conversations need none: their presence is pushed.
   */
  private async readPresence(id: string): Promise<void> {
    if (this.store.get().conversations[id]?.type === 'direct') return;
    const asOf = this.store.get().presence;
    const users: DirectoryUser[] = [];
    try {
      for (let page = 1; page <= presencePages; page++) {
        const r = await this.api.findUsers({ conversationId: id, limit: 100, page });
        users.push(...r.users);
        if (r.users.length < 100 || users.length >= r.total) break;
      }
    } catch {
      // Live presence and the list's isOnline still say what they know.
      if (users.length === 0) return;
    }
    this.store.dispatch({ type: 'presence_read', users: users.map((u) => ({ userId: u.id, isOnline: u.isOnline, lastSeen: u.lastSeen })), asOf });
  }

  markRead(id: string): void {
    const s = this.store.get();
    if (!s.visible || s.activeConversationId !== id) return;
    this.connection.markRead(id);
  }

  /** Loads the page before the oldest loaded message; false when there is nothing older. */
  async loadOlder(id: string): Promise<boolean> {
    const log = this.store.get().logs[id];
    if (!log?.loaded || !log.hasMoreBefore || log.seqs.length === 0) return false;
    const r = await this.api.listMessages(id, { before: log.seqs[0]!, limit: 50 });
    this.store.dispatch({ type: 'history_loaded', conversationId: id, messages: r.messages, hasMore: r.hasMore, older: true });
    return r.hasMore;
  }

  async createConversation(type: ConversationType, participantIds: string[], title?: string): Promise<Conversation> {
    const conv = await this.api.createConversation({ type, participantIds, ...(title ? { title } : {}) });
    this.store.dispatch({ type: 'conversation_upserted', conversation: conv });
    return conv;
  }

  async setArchived(id: string, archived: boolean): Promise<void> {
    const conv = await this.api.patchConversation(id, { archived });
    this.store.dispatch({ type: 'conversation_upserted', conversation: { ...conv, unreadCount: this.store.get().conversations[id]?.unreadCount ?? 0 } });
  }

  async setArchivedForMe(id: string, archived: boolean): Promise<void> {
    this.keepConversation(id, await this.api.setArchivedForMe(id, archived));
  }

  async leave(id: string): Promise<void> {
    const me = this.store.get().me;
    if (!me) return;
    const conv = await this.api.removeParticipant(id, me.id);
    if (conv) this.store.dispatch({ type: 'conversation_upserted', conversation: conv });
    else this.store.dispatch({ type: 'conversation_upserted', conversation: await this.api.getConversation(id) });
  }

  /** Adds a member (tutors and admins); the answer, else a fresh read, becomes the conversation. */
  async addMember(id: string, userId: string): Promise<void> {
    const conv = await this.api.addParticipant(id, { userId });
    this.keepConversation(id, conv ?? (await this.api.getConversation(id)));
  }

  async removeMember(id: string, userId: string): Promise<void> {
    const conv = await this.api.removeParticipant(id, userId);
    this.keepConversation(id, conv ?? (await this.api.getConversation(id)));
  }

  /** Stores a conversation from a REST answer, keeping the unread count the answer lacks. */
  private keepConversation(id: string, conv: Conversation): void {
    this.store.dispatch({ type: 'conversation_upserted', conversation: { ...conv, unreadCount: this.store.get().conversations[id]?.unreadCount ?? 0 } });
  }

  // ---- notification settings ----

  /** The caller's mute setting of a conversation (null: the server has no notifications API). */
  async loadMuted(id: string): Promise<boolean | null> {
    try {
      const s = await this.api.conversationNotifications(id);
      this.store.dispatch({ type: 'mute_known', conversationId: id, muted: s.muted });
      return s.muted;
    } catch (e) {
      if (e instanceof ChatError && e.code === 'not_found' && this.store.get().conversations[id]) return null;
      throw e;
    }
  }

  async setMuted(id: string, muted: boolean): Promise<void> {
    const s = await this.api.setConversationMuted(id, muted);
    this.store.dispatch({ type: 'mute_known', conversationId: id, muted: s.muted });
  }

  // ---- messages ----

  /** Queues a text message; it goes out now when connected, else after reconnect. */
  sendText(conversationId: string, text: string, replyTo: string | null): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    this.store.dispatch({
      type: 'outbox_added',
      pending: {
        clientMessageId: newClientMessageId(),
        conversationId,
        type: 'text',
        content: { text: trimmed },
        replyTo,
        createdAt: new Date().toISOString(),
        state: 'queued',
        sentOnConnection: null,
        attempts: 0,
        error: null,
      },
    });
    this.connection.flushOutbox();
  }

  /** Queues a sticker of the set (its id); it goes through the outbox like text. */
  sendSticker(conversationId: string, stickerId: string, replyTo: string | null): void {
    this.store.dispatch({
      type: 'outbox_added',
      pending: {
        clientMessageId: newClientMessageId(),
        conversationId,
        type: 'sticker',
        content: { sticker: stickerId },
        replyTo,
        createdAt: new Date().toISOString(),
        state: 'queued',
        sentOnConnection: null,
        attempts: 0,
        error: null,
      },
    });
    this.connection.flushOutbox();
  }

  retryPending(clientMessageId: string): void {
    this.store.dispatch({ type: 'outbox_retry', clientMessageId });
    this.connection.flushOutbox();
  }

  discardPending(clientMessageId: string): void {
    this.store.dispatch({ type: 'outbox_removed', clientMessageId });
  }

  private upsert(m: Message): Message {
    this.store.dispatch({ type: 'message_upserted', message: m });
    return m;
  }

  async editMessage(id: string, text: string): Promise<Message> {
    return this.upsert(await this.api.editMessage(id, text.trim()));
  }

  async deleteMessage(id: string): Promise<Message> {
    return this.upsert(await this.api.deleteMessage(id));
  }

  async toggleReaction(message: Message, emoji: string): Promise<Message> {
    const me = this.store.get().me;
    const mine = message.reactions.some((r) => r.userId === me?.id && r.emoji === emoji);
    return this.upsert(mine ? await this.api.removeReaction(message.id, emoji) : await this.api.addReaction(message.id, emoji));
  }

  typing(conversationId: string, isTyping: boolean): void {
    this.connection.typing(conversationId, isTyping);
  }

  /** Starts an upload; the reason when the file is refused before sending. */
  upload(conversationId: string, file: File, replyTo: string | null): ErrorCode | null {
    return this.uploads.add(conversationId, file, replyTo);
  }

  // ---- events ----

  private onServerEvent(ev: ServerEvent): void {
    if (ev.event === 'message_received') {
      const s = this.store.get();
      const m = ev.data.message;
      if (s.me && m.senderId !== s.me.id && m.type !== 'system') {
        notifyIfHidden(this.env.win, m, s, this.lang, (cid) => {
          void this.openConversation(cid);
        });
      }
    }
  }

  setVisible(visible: boolean): void {
    this.store.dispatch({ type: 'visibility', visible });
    this.connection.visibilityChanged();
    const active = this.store.get().activeConversationId;
    if (visible && active) this.markRead(active);
  }

  dispose(): void {
    this.stopListening?.();
    this.connection.stop();
  }
}
