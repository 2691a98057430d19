/** The text a receiver's 2xx answer asks the bot to post: a text/plain body, or JSON {"text"}; '' for nothing. */
export function replyText(contentType: string | string[] | undefined, body: Buffer): string {
  const type = String(contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return '';
  }
  if (type === 'text/plain') return text.trim();
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      const v = JSON.parse(text) as { text?: unknown };
      return v && typeof v === 'object' && typeof v.text === 'string' ? v.text.trim() : '';
    } catch {
      return '';
    }
  }
  return '';
}
