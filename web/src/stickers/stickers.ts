// The project's own sticker set (drawn for Writeen Chat, CC BY 4.0: LICENSE beside this file).
// A sticker message carries only the id (API.md `type: sticker`, `content.sticker`); every
// client shows it from its own copy of the set, and an id it does not know as its name in words.
import type { StringKey } from '../i18n';
import chapterDone from './chapter-done.svg';
import coffeeBreak from './coffee-break.svg';
import deadlineClock from './deadline-clock.svg';
import graduation from './graduation.svg';
import keepGoing from './keep-going.svg';
import thanksOwl from './thanks-owl.svg';

export interface Sticker {
  /** What the message carries: `writeen/<name>`, so other sets' ids cannot collide. */
  id: string;
  url: string;
  label: StringKey;
}

export const stickers: Sticker[] = [
  { id: 'writeen/thanks-owl', url: thanksOwl, label: 'stickerThanks' },
  { id: 'writeen/chapter-done', url: chapterDone, label: 'stickerChapterDone' },
  { id: 'writeen/keep-going', url: keepGoing, label: 'stickerKeepGoing' },
  { id: 'writeen/deadline-clock', url: deadlineClock, label: 'stickerDeadline' },
  { id: 'writeen/coffee-break', url: coffeeBreak, label: 'stickerCoffee' },
  { id: 'writeen/graduation', url: graduation, label: 'stickerGraduation' },
];

export function stickerById(id: string): Sticker | undefined {
  return stickers.find((s) => s.id === id);
}
