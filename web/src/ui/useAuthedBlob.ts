// Images behind the API need the Bearer token, which an <img src> cannot send: fetch them and
// show them through a blob: URL that is revoked when the component goes away.
import { useEffect, useState } from 'preact/hooks';
import { useClient } from './context';

export function useAuthedBlobUrl(path: string | null): { url: string | null; failed: boolean } {
  const client = useClient();
  const [state, setState] = useState<{ url: string | null; failed: boolean }>({ url: null, failed: false });
  useEffect(() => {
    if (!path) return;
    let revoked = false;
    let objectUrl: string | null = null;
    const controller = new AbortController();
    const headers: Record<string, string> = {};
    const auth = client.api.authHeader();
    if (auth) headers.Authorization = auth;
    fetch(client.api.url(path), { headers, signal: controller.signal })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        const blob = await res.blob();
        if (revoked) return;
        objectUrl = URL.createObjectURL(blob);
        setState({ url: objectUrl, failed: false });
      })
      .catch(() => {
        if (!revoked) setState({ url: null, failed: true });
      });
    return () => {
      revoked = true;
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [client, path]);
  return state;
}
