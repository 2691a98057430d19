import type { Context } from 'hono';
import { HttpError } from './errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface Input { json: boolean; fields: Record<string, unknown> }

const utf8 = new TextDecoder('utf-8', { fatal: true });

// No prototype: a field called "__proto__" or "constructor" is just a field.
const noPrototype = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;

function formFields(text: string): Record<string, unknown> {
  const fields = noPrototype();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const [k, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    try {
      const key = decodeURIComponent(k.replace(/\+/g, ' '));
      if (!(key in fields)) fields[key] = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      throw new HttpError(400, 'The form is not valid URL-encoded UTF-8.');
    }
  }
  return fields;
}

/** Reads a JSON or form body (already bounded by the body limit) into plain fields. */
export async function readInput(c: Context): Promise<Input> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw new HttpError(413, 'The request body is larger than 64 KiB.');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8.');
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(400, 'The JSON body must be an object.');
    }
    return { json: true, fields: Object.assign(noPrototype(), value) };
  }
  if (type === 'application/x-www-form-urlencoded') return { json: false, fields: formFields(text) };
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': c.req.header('content-type')! }, body: bytes }).formData();
    } catch {
      throw new HttpError(400, 'The multipart form could not be read.');
    }
    const fields = noPrototype();
    for (const [k, v] of form) if (!(k in fields)) fields[k] = typeof v === 'string' ? v : null;
    return { json: false, fields };
  }
  throw new HttpError(415, 'Send the fields as JSON (application/json) or as a form.');
}

/** A field that must be a string, free of NUL bytes and unpaired surrogates. */
export function textField(input: Input, name: string): string {
  const v = input.fields[name];
  if (v === undefined || v === null) throw new HttpError(400, `The field "${name}" is missing.`);
  if (typeof v !== 'string') throw new HttpError(400, `The field "${name}" must be a string.`);
  if (v.includes('\0')) throw new HttpError(400, `The field "${name}" contains a NUL character.`);
  if (!v.isWellFormed()) throw new HttpError(400, `The field "${name}" is not valid Unicode.`);
  return v;
}
