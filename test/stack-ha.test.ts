// Offline checks of the three-server deployment: stack.yml with stack.ha.yml on top, rendered by
// `docker stack config` as `docker stack deploy -c stack.yml -c stack.ha.yml` merges them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
type Service = {
  image?: string;
  stop_signal?: string;
  stop_grace_period?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  sysctls?: Record<string, string | number>;
  secrets?: { source: string }[];
  volumes?: { source?: string; target: string }[];
  deploy?: { replicas?: number; endpoint_mode?: string; placement?: { constraints?: string[]; max_replicas_per_node?: number } };
};
type Stack = { services: Record<string, Service> };

const hasDocker = spawnSync('docker', ['--version']).status === 0;
const itRendered = hasDocker ? it : it.skip;

function render(): Stack {
  const vars = { APP_IMAGE: 'chat:test', DB_IMAGE: 'chat-postgres:test', CHAT_HOST: 'chat.example.com', PGADMIN_HOST: 'pgadmin.example.com', PGADMIN_EMAIL: 'admin@example.com' };
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, ...vars };
  const out = spawnSync('docker', ['stack', 'config', '-c', 'stack.yml', '-c', 'stack.ha.yml'], { cwd: root, env, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`docker stack config failed:\n${out.stderr}`);
  return parse(out.stdout) as Stack;
}

describe('stack.ha.yml on top of stack.yml', () => {
  itRendered('runs three database members and three etcd members, each pinned to its own labelled node', () => {
    const { services } = render();
    for (const n of [1, 2, 3]) {
      for (const name of [`db${n}`, `etcd${n}`]) {
        const s = services[name]!;
        expect(s.image, name).toBe('chat-postgres:test');
        expect(s.deploy?.placement?.constraints, name).toEqual([`node.labels.chat.member == ${n}`]);
        expect(s.deploy?.endpoint_mode, name).toBe('dnsrr');
      }
      expect(services[`db${n}`]!.environment?.PATRONI_NAME).toBe(`db${n}`);
      expect(services[`db${n}`]!.entrypoint).toEqual(['chat-patroni']);
    }
  });

  itRendered('keeps the name postgres for a router on every node, so the URL secrets stay as on one server', () => {
    const { services } = render();
    expect(services.postgres!.command).toEqual(['haproxy', '-db', '-f', '/etc/haproxy/chat.cfg']);
    expect(services.postgres!.deploy?.replicas).toBe(3);
    expect(services.postgres!.deploy?.placement?.max_replicas_per_node).toBe(1);
    const cfg = readFileSync(join(root, 'deploy/postgres/haproxy.cfg'), 'utf8');
    for (const n of [1, 2, 3]) expect(cfg).toMatch(new RegExp(`server db${n} db${n}:5432 check port 8008`));
    expect(cfg).toMatch(/http-check send meth GET uri \/primary/);
    expect(cfg).toMatch(/http-check expect status 200/);
    expect(cfg).toMatch(/on-marked-down shutdown-sessions/);
  });

  itRendered('stops a router gracefully: the app renews its connections before the router ends the last ones, and Swarm never kills it', () => {
    const { services } = render();
    // Durations as Go prints them (1m35s) or as written (80s).
    const seconds = (d: string) => {
      const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
      return m && (m[1] || m[2]) ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
    };
    // HAProxy's soft stop; it ignores SIGTERM and SIGINT as the first process of its container.
    expect(services.postgres!.stop_signal).toBe('SIGUSR1');
    const cfg = readFileSync(join(root, 'deploy/postgres/haproxy.cfg'), 'utf8');
    const hardStop = seconds(/hard-stop-after (\S+)/.exec(cfg)![1]!);
    expect(hardStop).toBeLessThan(seconds(services.postgres!.stop_grace_period!));
    // The app's connections live DB_CONNECTION_LIFETIME_S plus up to a fifth (src/db/connect.ts).
    const connect = readFileSync(join(root, 'src/db/connect.ts'), 'utf8');
    expect(connect).toMatch(/max_lifetime: \(\(\) => \(opts\.lifetimeS \?\? \d+\) \* \(1 \+ Math\.random\(\) \/ 5\)\)/);
    const lifetime = Number(services.app!.environment?.DB_CONNECTION_LIFETIME_S);
    expect(lifetime * 1.2).toBeLessThan(hardStop);
  });

  itRendered('keeps the backup repository on the labelled node, where every member archives its WAL over TLS', () => {
    const { services } = render();
    const backup = services.backup!;
    expect(backup.command).toEqual(['chat-pgbackrest-tls', 'chat-backup', 'repo-host']);
    expect(backup.deploy?.replicas).toBe(1);
    expect(backup.deploy?.placement?.constraints).toContain('node.labels.chat.backup == true');
    for (const n of [1, 2, 3]) {
      expect(backup.environment?.[`PGBACKREST_PG${n}_HOST`]).toBe(`db${n}`);
      expect(backup.environment?.[`PGBACKREST_PG${n}_HOST_TYPE`]).toBe('tls');
      const db = services[`db${n}`]!;
      expect(db.environment?.PGBACKREST_REPO1_HOST).toBe('backup');
      expect(db.environment?.PGBACKREST_REPO1_HOST_TYPE).toBe('tls');
      expect(db.secrets?.map((x) => x.source)).toContain('chat_backup_tls_key');
    }
    const script = readFileSync(join(root, 'deploy/postgres/chat-patroni.sh'), 'utf8');
    expect(script).toMatch(/archive_command: pgbackrest --stanza=chat archive-push %p/);
  });

  itRendered('spreads the app over nodes and lets it find a dead connection within seconds', () => {
    const app = render().services.app!;
    expect(app.deploy?.placement?.max_replicas_per_node).toBe(2);
    expect(Number(app.sysctls?.['net.ipv4.tcp_retries2'])).toBeLessThanOrEqual(8);
    expect(Number(app.sysctls?.['net.ipv4.tcp_keepalive_intvl'])).toBeLessThanOrEqual(10);
  });

  it('writes Patroni settings with synchronous commit that cannot go unreplicated', () => {
    const script = readFileSync(join(root, 'deploy/postgres/chat-patroni.sh'), 'utf8');
    expect(script).toMatch(/synchronous_mode: \$\{CHAT_SYNCHRONOUS_MODE:-quorum\}/);
    expect(script).toMatch(/synchronous_mode_strict: true/);
    expect(script).toMatch(/synchronous_commit: "on"/);
    expect(script).toMatch(/use_pg_rewind: true/);
    const ttl = Number(/ttl: (\d+)/.exec(script)?.[1]);
    const loop = Number(/loop_wait: (\d+)/.exec(script)?.[1]);
    const retry = Number(/retry_timeout: (\d+)/.exec(script)?.[1]);
    // Patroni raises a ttl under 20 to 20; a dead primary's key expires at most ttl after it died.
    expect(ttl, 'no lower than Patroni accepts').toBeGreaterThanOrEqual(20);
    expect(ttl, 'promotion within 30 s').toBeLessThanOrEqual(20);
    expect(loop + 2 * retry, 'an isolated primary demotes itself before its key expires').toBeLessThanOrEqual(ttl);
  });
});
