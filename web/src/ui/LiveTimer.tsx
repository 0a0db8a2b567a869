// The running time of a live session, ticking once a second.
import { elapsed } from '../consultation/lifecycle';
import { useNow } from './context';

export function LiveTimer({ since, label }: { since: string; label: string }) {
  const now = useNow(1000);
  return (
    <time class="live-timer" role="timer" aria-label={label} dateTime={since}>
      {elapsed(since, now)}
    </time>
  );
}
