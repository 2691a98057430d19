/** What the templates do to text: Eta's escaping of & < > " '. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/**
 * Whether hostile strings were rendered as text only: each of `shown` appears escaped, and once every
 * escaped or percent-encoded copy (of those and of `elsewhere`, which the page may hold too) is cut
 * out of the page, no trace of any payload's markup ("alert(") is left anywhere.
 */
export function renderedAsText(html: string, shown: string[], elsewhere: string[] = []): { missing: string[]; leftover: string[] } {
  const missing = shown.filter((p) => !html.includes(escapeHtml(p)));
  let rest = html;
  for (const p of [...shown, ...elsewhere].sort((a, b) => b.length - a.length)) rest = rest.split(escapeHtml(p)).join('');
  // Percent-encoded copies (a link back to the address that was asked for) are no markup either.
  rest = rest.replace(/[\w.~!*'()%-]*%[0-9A-F]{2}[\w.~!*'()%-]*/gi, '');
  const leftover = [...rest.matchAll(/.{0,40}alert\(.{0,40}/gs)].map((m) => m[0]);
  return { missing, leftover };
}

/** Posts a URL-encoded form, as a browser on `origin` would (no redirect following). */
export function postForm(base: string, path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The session cookie pair ("chat_session=...", or "__Host-chat_session=..." under HTTPS) a response sets, if any. */
export function sessionCookie(res: Response): string | undefined {
  return res.headers.getSetCookie().find((c) => /^(__Host-)?chat_session=/.test(c))?.split(';')[0];
}

export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '" onmouseover="alert(1)" x="',
  "' autofocus onfocus='alert(1)",
  '<a href="javascript:alert(1)">click</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  '<style>@import "javascript:alert(1)";</style>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<% it.x = alert(1) %><%~ alert(1) %>',
  '{{constructor.constructor("alert(1)")()}}',
  '<scr<script>ipt>alert(1)\u2028</script>\u2029</p>',
];
