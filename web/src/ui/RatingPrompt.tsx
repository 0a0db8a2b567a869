// After a session ends, each participant is asked once for a rating (1–5, optional comment).
// Whether this user already rated is known on this device only: the server keeps the rating but
// does not say who gave one, so a second device asks again (and a second rating replaces the
// first, as API.md says).
import { useMemo, useState } from 'preact/hooks';
import { ChatError } from '../protocol';
import { useClient, useT } from './context';

type Step = 'asking' | 'sending' | 'thanks' | 'hidden';

export function RatingPrompt({ sessionId, onRated }: { sessionId: string; onRated: () => void }) {
  const client = useClient();
  const { t, error } = useT();
  const marks = useMemo(() => client.sessionMarks(), [client]);
  const [step, setStep] = useState<Step>(() => (marks && !marks.wantsRating(sessionId) ? 'hidden' : 'asking'));
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  if (step === 'hidden') return null;
  if (step === 'thanks') {
    return (
      <p class="small rating-thanks" role="status">
        {t('ratingThanks')}
      </p>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    if (rating < 1) {
      setProblem(t('ratingPick'));
      return;
    }
    setStep('sending');
    setProblem(null);
    try {
      await client.api.rateSession(sessionId, rating, comment);
      marks?.rated(sessionId, rating);
      setStep('thanks');
      onRated();
    } catch (err) {
      const code = err instanceof ChatError ? err.code : 'unknown';
      // 422: the server's limits (1..5, comment ≤ 2,000 characters) said in words; 409: still open.
      setProblem(code === 'unprocessable' ? t('ratingUnprocessable') : code === 'conflict' ? t('ratingConflict') : error(code));
      setStep('asking');
    }
  };

  return (
    <form class="rating-prompt" onSubmit={submit} aria-label={t('ratingQuestion')}>
      <fieldset disabled={step === 'sending'}>
        <legend>{t('ratingQuestion')}</legend>
        <div class="rating-stars" role="radiogroup" aria-label={t('ratingQuestion')}>
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              role="radio"
              aria-checked={rating === n}
              aria-label={t('ratingStars', { count: n })}
              class={`rating-star ${n <= rating ? 'is-on' : ''}`}
              onClick={() => setRating(n)}
            >
              {n <= rating ? '★' : '☆'}
            </button>
          ))}
        </div>
        <label class="rating-comment">
          <span class="small muted">{t('ratingComment')}</span>
          <textarea rows={2} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
        {problem && (
          <p class="small error-text" role="alert">
            {problem}
          </p>
        )}
        <div class="rating-actions">
          <button type="submit" class="button button-primary button-small">
            {t('ratingSubmit')}
          </button>
          <button
            type="button"
            class="button button-small"
            onClick={() => {
              marks?.dismiss(sessionId);
              setStep('hidden');
            }}
          >
            {t('ratingLater')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
