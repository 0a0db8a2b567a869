// Line icons as inline SVG (no icon font, no emoji font needed), always decorative: the button
// around them carries the label.
const paths = {
  attach: 'M15.5 6.5l-7.8 7.8a2.5 2.5 0 003.5 3.5l8-8a4.5 4.5 0 00-6.4-6.4l-8.2 8.2a6.5 6.5 0 009.2 9.2l7-7',
  reply: 'M9 7L4 12l5 5M4 12h10a6 6 0 016 6v1',
  smile: 'M12 21a9 9 0 100-18 9 9 0 000 18zM8.5 14.5a4.5 4.5 0 007 0M9 9.5h.01M15 9.5h.01',
  thread: 'M4 5h16M4 10h10M4 15h16M4 20h10',
  edit: 'M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  close: 'M6 6l12 12M18 6L6 18',
  back: 'M15 5l-7 7 7 7',
  chevronDown: 'M6 9l6 6 6-6',
  plus: 'M12 5v14M5 12h14',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  bell: 'M6 16V11a6 6 0 0112 0v5l2 2H4l2-2zM10 20a2 2 0 004 0',
  people: 'M9 11a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM2.5 20a6.5 6.5 0 0113 0M16 4.3a3.5 3.5 0 010 6.4M18.5 14.5a6.5 6.5 0 013 5.5',
  sticker: 'M14 21H7a4 4 0 01-4-4V7a4 4 0 014-4h10a4 4 0 014 4v7l-7 7zM14 21v-4a3 3 0 013-3h4M8.5 10h.01M15.5 10h.01M8.5 14.5a4.5 4.5 0 005 1',
  archive: 'M3 4h18v4H3zM5 8v12h14V8M10 12h4',
  bellOff: 'M6 16V11a6 6 0 0110.5-4M18 11v5l2 2H8M10 20a2 2 0 004 0M4 4l16 16',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      <path d={paths[name]} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
