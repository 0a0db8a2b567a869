// RFC 8785 JSON Canonicalization, as the server's transcripts/canonical_json.cpp writes it: the
// bytes a transcript's hash chain and signature cover. JSON.stringify already prints numbers as
// ECMAScript does and escapes strings as RFC 8785 asks (only `"`, `\` and controls; lone
// surrogates cannot come from the server's UTF-8); what it lacks is the member order.

/** The canonical JSON text of a parsed JSON value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JSON has no NaN or infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    // Default sort compares UTF-16 code units: the order RFC 8785 names.
    const keys = Object.keys(value).sort();
    const rec = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}
