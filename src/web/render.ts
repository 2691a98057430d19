import type { MiddlewareHandler } from 'hono';
import type { Views } from './views.ts';
import type { AppEnv } from './context.ts';

/**
 * c.render(view, data, status): a page inside the layout, with who is signed in and which replica
 * served it. Pages are personal (who is signed in, their rooms), so no shared cache may keep them.
 */
export function renderer(views: Views, replica: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.setRenderer((view, data, status = 200) => {
      // messageHtml: pages render messages through the same partial and Markdown as the stream.
      const html = views.render(view, { ...data, user: c.get('user') ?? null, path: c.req.path, replica, messageHtml: views.message });
      c.header('Cache-Control', 'private, no-store');
      return c.html(html, status as 200);
    });
    await next();
  };
}
