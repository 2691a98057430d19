import { HttpError } from '../errors.ts';
import { MAX_BODY_BYTES } from '../input.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface SlackAttachment { pretext?: unknown; title?: unknown; text?: unknown; fallback?: unknown }

/**
 * The text of a Slack-compatible incoming-webhook body: JSON `{"text"}`, a form whose `payload`
 * is that JSON, or plain text. Tools that send only attachments (Alertmanager's default Slack
 * template, Grafana) get their pretext, title and text, one per line.
 */
export function hookText(contentType: string | undefined, bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_BODY_BYTES) throw new HttpError(413, 'The request body is larger than 64 KiB.');
  let raw: string;
  try {
    raw = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8.');
  }
  const type = (contentType ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return slackText(parse(raw));
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) return slackText(parse(payload));
    const text = form.get('text');
    if (text !== null) return text;
    throw new HttpError(400, 'The form needs a "payload" field (Slack-compatible JSON) or a "text" field.');
  }
  if (type === 'text/plain' || type === '') return raw;
  throw new HttpError(415, 'Send Slack-compatible JSON {"text"}, a form with payload=, or text/plain.');
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
}

function slackText(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'The JSON body must be an object with "text".');
  const v = value as { text?: unknown; attachments?: unknown };
  const lines: string[] = [];
  if (typeof v.text === 'string') lines.push(v.text);
  if (Array.isArray(v.attachments)) {
    for (const a of v.attachments as SlackAttachment[]) {
      if (typeof a !== 'object' || a === null) continue;
      const parts = [a.pretext, a.title, a.text].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
      if (parts.length === 0 && typeof a.fallback === 'string') parts.push(a.fallback);
      lines.push(...parts);
    }
  }
  if (lines.length === 0) throw new HttpError(400, 'The JSON body needs "text" (a string).');
  return lines.join('\n');
}
