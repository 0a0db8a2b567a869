import { describe, expect, it } from 'vitest';
import { loadedState, message, student } from '../testing/fixtures';
import { lastEditableOwn } from './select';

describe('lastEditableOwn (ArrowUp in an empty composer)', () => {
  it('is my newest text message that is not deleted', () => {
    const s = loadedState([
      message(1, { senderId: student.id }),
      message(2, { senderId: student.id, type: 'sticker', content: { sticker: 'writeen/thanks-owl' } }),
      message(3, { senderId: student.id, deletedAt: '2024-01-15T14:00:09.000Z' }),
      message(4),
    ]);
    expect(lastEditableOwn(s.logs.c1, student.id)?.seq).toBe(1);
    expect(lastEditableOwn(s.logs.c1, 'u-nobody')).toBeNull();
  });
});
