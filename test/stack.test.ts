// Offline checks of the production deployment files: the Swarm stacks rendered
// by `docker stack config` with the variables of .env.example, and the Dockerfile.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const stackFiles = ['stack.yml', 'traefik/stack.yml'];

type Labels = Record<string, string>;
type Service = {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  labels?: Labels;
  ports?: { published?: number; mode?: string }[];
  secrets?: { source: string; target?: string }[];
  volumes?: { source?: string; target: string }[];
  healthcheck?: { test?: string[]; start_period?: string; disable?: boolean };
  stop_grace_period?: string;
  deploy?: {
    mode?: string;
    endpoint_mode?: string;
    replicas?: number;
    labels?: Labels;
    placement?: { constraints?: string[] };
    update_config?: { parallelism?: number; order?: string; failure_action?: string; monitor?: string };
    rollback_config?: { order?: string };
    restart_policy?: { condition?: string; max_attempts?: number };
    resources?: { limits?: { memory?: string } };
  };
};
type Stack = { services: Record<string, Service> };

const read = (file: string) => readFileSync(join(root, file), 'utf8');

function envExample(): Map<string, { value: string; commented: boolean }> {
  const vars = new Map<string, { value: string; commented: boolean }>();
  const lines = read('.env.example').split('\n');
  lines.forEach((line, i) => {
    const m = /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) return;
    const above = lines[i - 1]?.trim() ?? '';
    if (!above.startsWith('#') || /^#[A-Z][A-Z0-9_]*=/.test(above)) {
      throw new Error(`.env.example: ${m[2]} has no comment line above it`);
    }
    vars.set(m[2]!, { value: m[3]!, commented: m[1] === '#' });
  });
  return vars;
}

/** Go durations as docker prints them: 1m0s, 30s, 500ms, 1h. */
function ms(duration: string | undefined): number {
  let total = 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  for (const [, n, unit] of (duration ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(n) * units[unit!]!;
  }
  return total;
}

const hasDocker = spawnSync('docker', ['--version']).status === 0;
const rendered = new Map<string, Stack>();

function render(file: string): Stack {
  const cached = rendered.get(file);
  if (cached) return cached;
  const vars = Object.fromEntries([...envExample()].filter(([, v]) => !v.commented).map(([k, v]) => [k, v.value]));
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, ...vars };
  const out = spawnSync('docker', ['stack', 'config', '-c', file], { cwd: root, env, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`docker stack config -c ${file} failed:\n${out.stderr}`);
  const stack = parse(out.stdout) as Stack;
  rendered.set(file, stack);
  return stack;
}

const allServices = () =>
  stackFiles.flatMap((file) => Object.entries(render(file).services).map(([name, s]) => ({ file, name, s })));

const traefikLabels = (s: Service): Labels => s.deploy?.labels ?? {};
const app = () => render('stack.yml').services.app!;
const traefik = () => render('traefik/stack.yml').services.traefik!;

if (!hasDocker) {
  if (process.env.CI) {
    it('finds the docker CLI that renders the stack files', () => {
      expect.fail('no docker command: install the Docker CLI (no engine needed) so `docker stack config` can run');
    });
  } else {
    console.warn('\n⚠ stack.test.ts: no `docker` command here, so the rendered stack checks are SKIPPED.\n');
  }
}
const itRendered = hasDocker ? it : it.skip;

describe('the Swarm stack files', () => {
  it('take their variables from .env.example, each explained by a comment', () => {
    expect(() => envExample()).not.toThrow();
    expect(envExample().get('APP_IMAGE')?.value).toMatch(/^[a-z0-9./_-]+:[\w.-]+$/);
  });

  it('use no variable that .env.example leaves undefined', () => {
    const defined = envExample();
    for (const file of stackFiles) {
      for (const [, name] of read(file).matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
        expect(defined.get(name!)?.commented, `${file} uses \${${name}}`).toBe(false);
      }
    }
  });

  itRendered('render with docker stack config and give every service an image', () => {
    for (const { file, name, s } of allServices()) expect(s.image, `${file}: ${name}`).toMatch(/\S/);
  });

  itRendered('put Traefik labels under deploy, never on the service itself', () => {
    for (const { file, name, s } of allServices()) {
      const topLevel = Object.keys(s.labels ?? {}).filter((k) => k.startsWith('traefik.'));
      expect(topLevel, `${file}: ${name}`).toEqual([]);
    }
  });

  itRendered('give every service Traefik routes a load-balancer port, since Swarm reports none', () => {
    for (const { file, name, s } of allServices()) {
      const labels = traefikLabels(s);
      if (labels['traefik.enable'] !== 'true') continue;
      const ports = Object.entries(labels).filter(([k]) => /^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$/.test(k));
      expect(ports.length, `${file}: ${name}`).toBeGreaterThan(0);
      for (const [, port] of ports) expect(port).toMatch(/^\d+$/);
    }
    expect(traefikLabels(app())['traefik.http.services.chat.loadbalancer.server.port']).toBe('3000');
  });

  itRendered('serve every router over TLS on the websecure entrypoint', () => {
    let routers = 0;
    for (const { file, s } of allServices()) {
      const labels = traefikLabels(s);
      for (const key of Object.keys(labels).filter((k) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(k))) {
        const router = key.slice(0, -'.rule'.length);
        routers++;
        expect(labels[`${router}.entrypoints`], `${file}: ${router}`).toBe('websecure');
        const tls = labels[`${router}.tls.certresolver`] || labels[`${router}.tls`] === 'true';
        expect(tls, `${file}: ${router} has no TLS`).toBeTruthy();
      }
    }
    expect(routers).toBeGreaterThanOrEqual(4);
  });

  itRendered('keep passwords out of environment variables: secrets are mounted and read through _FILE', () => {
    for (const { file, name, s } of allServices()) {
      const mounted = new Set((s.secrets ?? []).map((x) => x.target ?? x.source));
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN/i.test(key)) expect(key, `${file}: ${name}`).toMatch(/_FILE$/);
        if (key.endsWith('_FILE') && value.startsWith('/run/secrets/')) {
          expect(mounted.has(value.slice('/run/secrets/'.length)), `${file}: ${name} ${key}`).toBe(true);
        }
      }
    }
  });

  it('guard every variable that has no default with :?, so a stack never deploys with it empty', () => {
    for (const file of stackFiles) {
      for (const [, name, rest] of read(file).matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)) {
        expect(rest, `${file}: \${${name}}`).toMatch(/^(:\?|:-)/);
      }
    }
  });

  itRendered('publish no port for the app, PostgreSQL, its backups or pgAdmin: Traefik is the only way in', () => {
    for (const name of ['app', 'migrate', 'postgres', 'backup', 'pgadmin']) {
      expect(render('stack.yml').services[name]?.ports ?? [], name).toEqual([]);
    }
  });
});

describe('the app service', () => {
  itRendered('rolls out start-first, one replica at a time, and rolls back on failure', () => {
    const d = app().deploy!;
    expect(d.replicas).toBeGreaterThanOrEqual(2);
    expect(d.update_config).toMatchObject({ parallelism: 1, order: 'start-first', failure_action: 'rollback' });
    expect(d.rollback_config).toBeDefined();
    expect(ms(d.update_config?.monitor)).toBeGreaterThan(ms(app().healthcheck?.start_period));
    expect(d.restart_policy?.condition).toBeDefined();
    expect(d.resources?.limits?.memory).toBeDefined();
  });

  itRendered('drains longer than Traefik takes to notice, and stops well within the grace period', () => {
    const env = app().environment!;
    const refresh = traefik().command!.find((c) => c.startsWith('--providers.swarm.refreshSeconds='))!;
    const refreshMs = Number(refresh.split('=')[1]) * 1000;
    const drain = Number(env.DRAIN_DELAY_MS);
    expect(drain).toBeGreaterThan(refreshMs);
    expect(ms(app().stop_grace_period)).toBeGreaterThanOrEqual(drain + 5000);
  });

  itRendered("reads only chat_app's URL from a secret, never the owner's, and trusts only the proxy in front of it", () => {
    const env = app().environment!;
    expect(env.DATABASE_URL_FILE).toBe('/run/secrets/chat_database_url');
    expect(env.MIGRATE_DATABASE_URL_FILE).toBeUndefined();
    expect(app().secrets?.map((x) => x.source)).toEqual(['chat_database_url']);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PUBLIC_ORIGIN).toBe(`https://${envExample().get('CHAT_HOST')!.value}`);
    expect(env.TRUST_PROXY).toBe('on');
    expect(app().healthcheck?.test?.join(' ')).toContain('/healthz');
    expect(traefikLabels(app())['traefik.swarm.network']).toBe('traefik-public');
  });

  itRendered('serves /metrics on its own port, which no Traefik label routes', () => {
    expect(app().environment?.METRICS_PORT).toBe('9100');
    const labels = traefikLabels(app());
    expect(Object.values(labels).join(' ')).not.toContain('9100');
    expect(labels['traefik.http.routers.chat.rule']).toContain('!PathPrefix(`/metrics`)');
  });

  itRendered('limits requests in flight and their rate per client address on the chat router', () => {
    const labels = traefikLabels(app());
    const names = labels['traefik.http.routers.chat.middlewares']!.split(',');
    const of = (kind: string) => names.find((n) => Object.keys(labels).some((k) => k.startsWith(`traefik.http.middlewares.${n}.${kind}.`)));
    const inflight = of('inflightreq');
    const rate = of('ratelimit');
    expect(Number(labels[`traefik.http.middlewares.${inflight}.inflightreq.amount`])).toBeGreaterThan(0);
    expect(Number(labels[`traefik.http.middlewares.${rate}.ratelimit.average`])).toBeGreaterThan(0);
    expect(Number(labels[`traefik.http.middlewares.${rate}.ratelimit.burst`])).toBeGreaterThanOrEqual(
      Number(labels[`traefik.http.middlewares.${rate}.ratelimit.average`]),
    );
  });

  itRendered('leaves migrations to a one-off job that runs as the owner and retries until PostgreSQL answers', () => {
    const job = render('stack.yml').services.migrate!;
    expect(job.image).toBe(app().image);
    expect(job.command).toEqual(['node', 'dist/migrate-cli.js']);
    expect(job.deploy?.mode).toBe('replicated-job');
    expect(job.deploy?.restart_policy?.condition).toBe('on-failure');
    expect(job.environment?.MIGRATE_DATABASE_URL_FILE).toBe('/run/secrets/chat_migrate_database_url');
    expect(job.secrets?.map((x) => x.source)).toEqual(['chat_migrate_database_url']);
    expect(job.healthcheck?.disable).toBe(true);
  });

  itRendered('never has its event streams compressed by Traefik', () => {
    // Labels are case-insensitive to Traefik.
    const labels = Object.fromEntries(
      allServices().flatMap(({ s }) => Object.entries(traefikLabels(s))).map(([k, v]) => [k.toLowerCase(), v]),
    );
    for (const key of Object.keys(labels).filter((k) => /^traefik\.http\.middlewares\.[^.]+\.compress(\.|$)/.test(k))) {
      const name = key.split('.')[3]!;
      const excluded = labels[`traefik.http.middlewares.${name}.compress.excludedcontenttypes`] ?? '';
      expect(excluded, key).toContain('text/event-stream');
    }
  });
});

describe('PostgreSQL and pgAdmin', () => {
  itRendered('keep PostgreSQL 18 data in /var/lib/postgresql on a labelled node, checked by pg_isready', () => {
    const pg = render('stack.yml').services.postgres!;
    expect(pg.image).toBe(envExample().get('DB_IMAGE')!.value);
    expect(read('deploy/postgres/Dockerfile')).toMatch(/^ARG BASE=postgres:18$/m);
    expect(pg.volumes?.map((v) => v.target)).toContain('/var/lib/postgresql');
    expect(pg.deploy?.placement?.constraints?.some((c) => c.startsWith('node.labels.'))).toBe(true);
    expect(pg.deploy?.update_config?.order).toBe('stop-first');
    expect(pg.healthcheck?.test?.join(' ')).toContain('pg_isready -h 127.0.0.1');
    expect(pg.command?.join(' ')).toMatch(/idle_in_transaction_session_timeout=.*transaction_timeout=/);
    // Reached by DNS, not a Swarm virtual IP: IPVS silently drops pooled connections idle 15 min.
    expect(pg.deploy?.endpoint_mode).toBe('dnsrr');
  });

  itRendered('bounds admin sessions with the same timeouts on the cluster (stack.yml) and the chat database (newest migration)', () => {
    const flags = render('stack.yml').services.postgres!.command!.join(' ');
    const migrations = readdirSync(join(root, 'sql')).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
    for (const name of ['idle_in_transaction_session_timeout', 'transaction_timeout']) {
      const flag = new RegExp(`${name}=(\\w+)`).exec(flags)?.[1];
      const set = new RegExp(`SET ${name} = %L', current_database\\(\\), '(\\w+)'`);
      const last = migrations.map((f) => set.exec(read(`sql/${f}`))?.[1]).filter(Boolean).at(-1);
      expect(last, name).toBe(flag);
    }
  });

  itRendered('give pgAdmin one stop-first replica with its servers preloaded', () => {
    const pg = render('stack.yml').services.pgadmin!;
    expect(pg.image).toMatch(/^dpage\/pgadmin4:\d+/);
    expect(pg.deploy?.replicas).toBe(1);
    expect(pg.deploy?.update_config?.order).toBe('stop-first');
    expect(pg.environment?.PGADMIN_SERVER_JSON_FILE).toBeDefined();
    expect(JSON.stringify(JSON.parse(read('deploy/pgadmin-servers.json')))).toContain('"Username":"chat_readonly"');
  });
});

describe('backups (pgBackRest)', () => {
  const conf = () => read('deploy/postgres/pgbackrest.conf');
  const option = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(conf())?.[1];

  itRendered('archive every WAL segment of PostgreSQL with pgBackRest, at least once a minute, to the repository volume', () => {
    const pg = render('stack.yml').services.postgres!;
    const flags = pg.command!.join(' ');
    expect(flags).toContain('archive_mode=on');
    expect(flags).toContain('archive_command=pgbackrest --stanza=chat archive-push %p');
    expect(ms(/archive_timeout=(\w+)/.exec(flags)?.[1])).toBeLessThanOrEqual(60_000);
    expect(pg.volumes?.find((v) => v.target === option('repo1-path'))?.source).toBe('pgbackrest-repo');
    expect(option('pg1-path')).toBe('/var/lib/postgresql/18/docker');
  });

  itRendered('take them on a schedule from the same image, on the database node, reading the data read-only', () => {
    const { postgres: pg, backup } = render('stack.yml').services as Record<string, Service & { user?: string }>;
    expect(backup!.image).toBe(pg!.image);
    expect(backup!.command).toEqual(['chat-backup', 'schedule']);
    expect(backup!.user).toBe('postgres');
    expect(backup!.deploy?.placement?.constraints).toEqual(pg!.deploy?.placement?.constraints);
    const mounts = new Map((backup!.volumes ?? []).map((v) => [v.target, v as typeof v & { read_only?: boolean }]));
    expect(mounts.get('/var/lib/postgresql')).toMatchObject({ source: 'postgres-data', read_only: true });
    expect(mounts.get('/var/lib/pgbackrest')?.source).toBe('pgbackrest-repo');
    // The socket pgBackRest talks to PostgreSQL through.
    expect(mounts.get(option('pg1-socket-path')!)?.source).toBe(pg!.volumes?.find((v) => v.target === option('pg1-socket-path'))?.source);
    expect(Number(backup!.environment?.BACKUP_FULL_EVERY_HOURS)).toBeGreaterThan(Number(backup!.environment?.BACKUP_DIFF_EVERY_HOURS));
  });

  it('keep two full backups and what depends on them, and read keys only from Docker secrets', () => {
    expect(option('repo1-retention-full-type')).toBe('count');
    expect(Number(option('repo1-retention-full'))).toBeGreaterThanOrEqual(2);
    expect(option('cmd')).toBe('/usr/local/bin/pgbackrest');
    expect(conf()).not.toMatch(/s3-key|cipher-pass/);
    expect(read('deploy/postgres/pgbackrest-secrets.sh')).toContain('/run/secrets/pgbackrest_');
    expect(read('deploy/postgres/Dockerfile')).toContain('COPY pgbackrest-secrets.sh /usr/local/bin/pgbackrest');
  });
});

describe('Traefik', () => {
  itRendered('uses the v3 Swarm provider with nothing exposed by default', () => {
    const cmd = traefik().command!;
    expect(cmd).toContain('--providers.swarm=true');
    expect(cmd).toContain('--providers.swarm.exposedByDefault=false');
    expect(cmd).toContain('--providers.swarm.network=traefik-public');
    expect(cmd.join(' ')).not.toMatch(/providers\.docker/i);
    expect(traefik().image).toMatch(/^traefik:v3\.(\d+)/);
    expect(Number(/^traefik:v3\.(\d+)/.exec(traefik().image!)![1])).toBeGreaterThanOrEqual(6);
  });

  itRendered('redirects HTTP to HTTPS, lets event streams live and takes ports in host mode', () => {
    const cmd = traefik().command!;
    expect(cmd).toContain('--entryPoints.web.http.redirections.entryPoint.to=websecure');
    expect(cmd).toContain('--entryPoints.websecure.transport.respondingTimeouts.writeTimeout=0s');
    const readTimeout = cmd.find((c) => c.includes('websecure.transport.respondingTimeouts.readTimeout='));
    expect(ms(readTimeout?.split('=')[1])).toBeGreaterThanOrEqual(3_600_000);
    expect(traefik().ports?.map((p) => [p.published, p.mode])).toEqual([[80, 'host'], [443, 'host']]);
    expect(traefik().deploy?.replicas).toBe(1);
    expect(cmd.find((c) => c.includes('acme.caServer='))).toBe(
      `--certificatesResolvers.le.acme.caServer=${envExample().get('ACME_CA_SERVER')!.value}`,
    );
  });

  itRendered('guards its dashboard with basic auth from a secret', () => {
    const labels = traefikLabels(traefik());
    expect(labels['traefik.http.routers.dashboard.middlewares']).toBe('dashboard-auth');
    expect(labels['traefik.http.middlewares.dashboard-auth.basicauth.usersfile']).toBe('/run/secrets/traefik_dashboard_users');
  });
});

describe('the Dockerfile', () => {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const finalStage = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));
  const instr = (name: string) => finalStage.filter((l) => new RegExp(`^${name}\\s`, 'i').test(l));

  it('builds from the current Node.js LTS line and needs no frontend image from a registry', () => {
    expect(read('Dockerfile')).not.toMatch(/^#\s*syntax=/m);
    for (const l of lines.filter((x) => /^FROM\s/i.test(x))) expect(l).toMatch(/^FROM node:24-bookworm-slim\b/);
  });

  it('builds in more than one stage', () => {
    expect(lines.filter((l) => /^FROM\s/i.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it('runs the final image as a user other than root', () => {
    const user = instr('USER').at(-1)?.split(/\s+/)[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
  });

  it('declares a health check and starts in exec form', () => {
    expect(instr('HEALTHCHECK').length).toBe(1);
    const start = [...instr('CMD'), ...instr('ENTRYPOINT')];
    expect(start.length).toBeGreaterThan(0);
    for (const l of start) expect(() => void JSON.parse(l.replace(/^\w+\s+/, ''))).not.toThrow();
  });
});
