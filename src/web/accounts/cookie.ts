import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'chat_session';
export const DEVICE_COOKIE = 'chat_device';
const HOST_PREFIX = '__Host-';
const DEVICE_DAYS = 365;

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by cookieScheme(): the site is served over HTTPS (PUBLIC_ORIGIN https://...). */
    secureCookies?: boolean;
  }
}

/** Tells the cookie reader whether the site is HTTPS (then only __Host- cookies count). */
export function cookieScheme(publicOrigin: string | null): MiddlewareHandler {
  const httpsOrigin = publicOrigin?.startsWith('https:') ?? false;
  return async (c, next) => {
    c.set('secureCookies', httpsOrigin || new URL(c.req.url).protocol === 'https:');
    return next();
  };
}

/**
 * Under HTTPS cookies carry the __Host- prefix: the browser then takes them only from this host,
 * Secure, for Path=/, so a sibling subdomain cannot plant a session. The unprefixed name is read
 * only where the site is plain HTTP (development); under HTTPS it may be a planted one.
 */
function read(c: Context, name: string): string | undefined {
  return getCookie(c, HOST_PREFIX + name) ?? (c.get('secureCookies') ? undefined : getCookie(c, name));
}

/** The session token the browser sent, if any: the one place that reads it. */
export function sessionToken(c: Context): string | undefined {
  return read(c, SESSION_COOKIE);
}

/** The device cookie (see accounts/device.ts) the browser sent, if any. */
export function deviceToken(c: Context): string | undefined {
  return read(c, DEVICE_COOKIE);
}

function put(c: Context, name: string, value: string, secure: boolean, maxAgeS: number): void {
  setCookie(c, secure ? HOST_PREFIX + name : name, value, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: maxAgeS });
}

export function setSessionCookie(c: Context, token: string, secure: boolean, days: number): void {
  put(c, SESSION_COOKIE, token, secure, days * 86400);
}

export function setDeviceCookie(c: Context, value: string, secure: boolean): void {
  put(c, DEVICE_COOKIE, value, secure, DEVICE_DAYS * 86400);
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  if (secure) deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, prefix: 'host' });
  else deleteCookie(c, SESSION_COOKIE, { path: '/' });
}
