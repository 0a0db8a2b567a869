// Downloads a session's signed transcript and says whether it is valid, checked here in the
// browser (hash chain and Ed25519 signature, consultation/transcriptCheck.ts) against the keys
// the server lists. The saved file is the canonical JSON the signature covers, so
// `writeen-chat verify-transcript` checks the same bytes offline.
import { useState } from 'preact/hooks';
import { canonicalJson } from '../consultation/canonicalJson';
import type { TranscriptCheck, TranscriptProblem } from '../consultation/transcriptCheck';
import { checkTranscript } from '../consultation/transcriptCheck';
import type { Translator } from '../i18n';
import { ChatError } from '../protocol';
import { useClient, useT } from './context';

function problemText(p: TranscriptProblem, tr: Translator): string {
  switch (p.kind) {
    case 'entry':
      return tr.t('transcriptBadEntry', { index: p.index, seq: p.seq ?? '?' });
    case 'head':
      return tr.t('transcriptBadHead');
    case 'unknown_key':
      return tr.t('transcriptUnknownKey', { keyId: p.keyId });
    case 'signature':
      return tr.t('transcriptBadSignature');
    default:
      return tr.t('transcriptBadShape');
  }
}

function resultText(r: TranscriptCheck, tr: Translator): string {
  if (r.state === 'valid') return tr.t('transcriptValid', { count: r.messages, keyId: r.keyId });
  if (r.state === 'not_checked') return tr.t('transcriptNotChecked');
  return tr.t('transcriptInvalid', { reason: problemText(r.problem, tr) });
}

function save(sessionId: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `transcript-${sessionId}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function TranscriptButton({ sessionId }: { sessionId: string }) {
  const client = useClient();
  const tr = useT();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TranscriptCheck | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const download = async () => {
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      const [sealed, keys] = await Promise.all([client.api.transcript(sessionId), client.api.transcriptKeys()]);
      save(sessionId, canonicalJson(sealed));
      setResult(await checkTranscript(sealed, keys));
    } catch (e) {
      setProblem(tr.t('transcriptFailed', { reason: tr.error(e instanceof ChatError ? e.code : 'unknown') }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="transcript">
      <button type="button" class="button button-small" disabled={busy} onClick={() => void download()}>
        {tr.t('transcriptDownload')}
      </button>
      <p class={`small transcript-result ${result ? `is-${result.state}` : ''}`} role="status">
        {busy ? tr.t('transcriptChecking') : result ? resultText(result, tr) : ''}
      </p>
      {problem && (
        <p class="small error-text" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
