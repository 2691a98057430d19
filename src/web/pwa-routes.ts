import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { appIcons, ICON_SIZES, type IconSize } from '../pwa/icons.ts';

const PUBLIC = new URL('../../public/', import.meta.url);
const THEME = '#4f46e5';

/** The installable app: manifest, icons, service worker and offline page, none of which needs a session. */
export function pwaRoutes() {
  const icons = appIcons();
  // In a folder of its own: tsconfig.public.json checks public/*.js against the DOM library, which does not describe a worker's scope.
  const worker = readFileSync(new URL('sw/service-worker.js', PUBLIC));
  const offline = readFileSync(new URL('offline.html', PUBLIC), 'utf8');
  const manifest = JSON.stringify({
    name: 'Swarm Chat',
    short_name: 'Chat',
    description: 'Your team\'s chat',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: THEME,
    icons: ICON_SIZES.map((s) => ({ src: `/icons/app-${s}.png`, sizes: `${s}x${s}`, type: 'image/png', purpose: 'any' })),
    shortcuts: [{ name: 'Rooms', short_name: 'Rooms', url: '/', icons: [{ src: '/icons/app-192.png', sizes: '192x192', type: 'image/png' }] }],
  });

  return new Hono<AppEnv>()
    .get('/manifest.webmanifest', (c) => c.body(manifest, 200, { 'content-type': 'application/manifest+json', 'cache-control': 'public, max-age=300' }))
    .get('/icons/:file{app-(192|512)\\.png}', async (c) => {
      const size = Number(/\d+/.exec(c.req.param('file'))![0]) as IconSize;
      return c.body(new Uint8Array(await icons(size)), 200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=86400' });
    })
    // Always checked for a newer version: an old worker never outlives a deploy for long.
    .get('/service-worker.js', (c) => c.body(new Uint8Array(worker), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }))
    .get('/offline', (c) => c.html(offline, 200, { 'cache-control': 'no-cache' }));
}
