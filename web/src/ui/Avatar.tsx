// A round avatar with the person's initials (pictures from tokens are not loaded: their URLs are
// third-party and the page's CSP keeps images to this origin), and an optional online dot.
import { hueOf, initials } from '../text/format';

export function Avatar({ id, name, online, size = 'md' }: { id: string; name: string; online?: boolean; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <span class={`avatar avatar-${size}`} style={{ '--avatar-hue': String(hueOf(id)) }} aria-hidden="true">
      {initials(name)}
      {online !== undefined && <span class={`presence-dot ${online ? 'is-online' : ''}`} />}
    </span>
  );
}
