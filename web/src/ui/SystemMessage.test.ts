import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { previewText } from '../app/notify';
import { conversation, message, tutor } from '../testing/fixtures';
import { startsGroup } from './MessageList';
import { systemText } from './SystemMessage';

describe('system messages', () => {
  const conv = conversation();
  it('name who joined or left, from the data or the participant list', () => {
    expect(systemText({ action: 'user_joined', data: { userName: 'Citra' } }, conv, translator('en'))).toBe('Citra joined the conversation');
    expect(systemText({ action: 'user_left', data: { userId: tutor.id } }, conv, translator('id'))).toBe('Dr. Budi Santoso keluar dari percakapan');
  });
  it('describe consultation events and fall back for unknown actions', () => {
    expect(systemText({ action: 'consultation_started' }, conv, translator('id'))).toBe('Konsultasi telah dimulai');
    expect(systemText({ action: 'consultation_confirmed', data: { title: 'Bab 3' } }, conv, translator('en'))).toBe('Consultation confirmed: Bab 3');
    expect(systemText({ action: 'something_new' }, conv, translator('en'))).toBe('Conversation updated');
  });
});

describe('previews', () => {
  it('say what a message is in plain text', () => {
    expect(previewText(message(1, { content: { text: '<b>hi</b>' } }), 'en')).toBe('<b>hi</b>');
    expect(previewText(message(1, { deletedAt: 'x', content: {} }), 'id')).toBe('Pesan ini telah dihapus.');
    const file = { fileId: 'f', fileName: 'Bab1.pdf', fileSize: 1, fileType: 'application/pdf', downloadUrl: '', scanStatus: 'clean' as const };
    expect(previewText(message(1, { type: 'file', content: { fileInfo: file } }), 'en')).toBe('📎 Bab1.pdf');
  });
});

describe('bubble grouping', () => {
  it('starts a new group on another sender, another day, a long pause or a system message', () => {
    const a = message(1, { createdAt: '2024-01-15T10:00:00.000Z' });
    expect(startsGroup(undefined, a)).toBe(true);
    expect(startsGroup(a, message(2, { createdAt: '2024-01-15T10:01:00.000Z' }))).toBe(false);
    expect(startsGroup(a, message(2, { createdAt: '2024-01-15T10:06:00.000Z' }))).toBe(true);
    expect(startsGroup(a, message(2, { senderId: 'other', createdAt: '2024-01-15T10:01:00.000Z' }))).toBe(true);
    expect(startsGroup(a, message(2, { type: 'system', createdAt: '2024-01-15T10:01:00.000Z' }))).toBe(true);
  });
});
