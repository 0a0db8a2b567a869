// The demo consultation service of dev mode: the calls the Writeen consultation service makes
// (confirm, start, end, cancel), with the `role: service` token that POST /api/dev/token mints
// for "writeen-consultation", kept apart from the user's own token.
import { Api } from '../net/api';
import type { ChatSession, Conversation } from '../protocol';

/** The demo service's user id (src/http/dev_resource.hpp). */
export const demoServiceId = 'writeen-consultation';

export class DemoService {
  private token: string | null = null;
  private readonly api: Api;

  constructor(private readonly userApi: Api) {
    this.api = new Api({ getToken: () => this.token, refreshToken: () => this.mint() });
  }

  private async mint(): Promise<string | null> {
    this.token = await this.userApi.devToken(demoServiceId);
    return this.token;
  }

  private async ready(): Promise<Api> {
    if (!this.token) await this.mint();
    return this.api;
  }

  /** Confirms the room's consultation: now + 15 min for an hour, its current tutor and students. */
  async confirm(conv: Conversation, tutorId: string, now = Date.now()): Promise<Conversation> {
    const consultationId = conv.consultationId ?? `demo-${conv.id}`;
    const students = conv.participants.filter((p) => p.leftAt === null && p.userId !== tutorId && p.role === 'student');
    const start = new Date(Math.ceil((now + 15 * 60_000) / 60_000) * 60_000);
    return (await this.ready()).confirmConsultation(consultationId, {
      title: conv.title ?? consultationId,
      tutorId,
      studentIds: students.map((p) => p.userId),
      scheduledStart: start.toISOString(),
      scheduledEnd: new Date(start.getTime() + 60 * 60_000).toISOString(),
      participants: students.map((p) => ({ userId: p.userId, name: p.user.name, role: 'student' as const })),
    });
  }

  async start(consultationId: string): Promise<ChatSession> {
    return (await this.ready()).startConsultation(consultationId);
  }

  async end(consultationId: string, sessionNotes: string, actionItems: string[]): Promise<ChatSession> {
    const body = { ...(sessionNotes.trim() ? { sessionNotes: sessionNotes.trim() } : {}), ...(actionItems.length > 0 ? { actionItems } : {}) };
    return (await this.ready()).endConsultation(consultationId, body);
  }

  async cancel(consultationId: string): Promise<Conversation> {
    return (await this.ready()).cancelConsultation(consultationId);
  }
}
