// Message text as text nodes, with http(s) links made clickable safely. No HTML is ever parsed.
import { linkify } from '../text/linkify';

export function MessageText({ text }: { text: string }) {
  const parts = linkify(text);
  return (
    <span class="message-text">
      {parts.map((p, i) =>
        p.kind === 'link' ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer nofollow">
            {p.text}
          </a>
        ) : (
          p.text
        ),
      )}
    </span>
  );
}
