const HERE = 'http://here.invalid';

// The characters a URL path, query and fragment may hold (RFC 3986), so no white space (browsers
// drop tabs and line breaks: "/\t/evil" becomes "//evil"), no "\" (read as "/") and nothing a
// Location header cannot carry.
const URL_CHARS = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#[\]]*$/;

/** Only a path on this site: "/x" but not "//evil.example", "/\evil.example" or "https://evil". */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 512 || !URL_CHARS.test(raw) || raw.startsWith('//')) return '/';
  try {
    return new URL(raw, HERE).origin === HERE ? raw : '/';
  } catch {
    return '/';
  }
}
