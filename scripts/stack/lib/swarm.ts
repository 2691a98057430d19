import { docker, dockerOn, dockerWithin, until } from './sh.ts';

/** host: the address its host-mode port is published on; node: the Swarm node's name. */
export interface Container { id: string; task: string; port: number | null; health: string; host: string; node: string }
export interface Task { id: string; name: string; desired: string; state: string; error: string }

/** The three-node run's nodes (STACK_NODES=name=address,...), each with its own engine; else this machine. */
export const nodes = (process.env.STACK_NODES ?? '').split(',').filter(Boolean).map((pair) => {
  const [name, address] = pair.split('=') as [string, string];
  return { name, address, engine: `tcp://${address}:2375` };
});

/** The running containers of a service on every node that answers, with the host port of its 3000 (host mode). */
export async function containers(service: string): Promise<Container[]> {
  if (nodes.length === 0) return containersOn(undefined, '127.0.0.1', '', service);
  const each = await Promise.all(nodes.map((n) => containersOn(n.engine, n.address, n.name, service).catch(() => [])));
  return each.flat();
}

/** Each node's running containers of a service, in the order of `nodes`; null where its engine did not answer in time. */
export async function containersByNode(service: string): Promise<(Container[] | null)[]> {
  if (nodes.length === 0) return [await containersOn(undefined, '127.0.0.1', '', service)];
  return Promise.all(nodes.map((n) => containersOn(n.engine, n.address, n.name, service).catch(() => null)));
}

async function containersOn(engine: string | undefined, host: string, node: string, service: string): Promise<Container[]> {
  // A node that died must not hold up the balancer's refresh: 4 s, then it has no containers.
  const out = await dockerWithin(engine ? 4000 : 0, engine, 'ps', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format',
    '{{.ID}}\t{{.Label "com.docker.swarm.task.name"}}\t{{.Ports}}\t{{.Status}}');
  return out.split('\n').filter(Boolean).map((line) => {
    const [id, task, ports, status] = line.split('\t') as [string, string, string, string];
    const port = /:(\d+)->3000\/tcp/.exec(ports)?.[1];
    const health = /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1] ?? 'none';
    return { id, task, port: port ? Number(port) : null, health, host, node };
  });
}

export async function tasks(service: string): Promise<Task[]> {
  const out = await docker('service', 'ps', service, '--no-trunc', '--format', '{{.ID}}\t{{.Name}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}');
  return out.split('\n').filter(Boolean).map((line) => {
    const [id, name, desired, state, error] = line.split('\t') as [string, string, string, string, string];
    return { id, name, desired, state, error };
  });
}

/** Waits until `want` containers of the service run and report healthy (or have no health check). */
export async function healthy(service: string, want: number, timeoutMs = 180_000): Promise<Container[]> {
  return until(`${want} healthy task(s) of ${service}`, async () => {
    const cs = await containers(service);
    return cs.length === want && cs.every((c) => c.health === 'healthy' || c.health === 'none') && cs;
  }, timeoutMs);
}

export async function updateState(service: string): Promise<string> {
  return docker('service', 'inspect', '-f', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', service);
}

export async function updateSettled(service: string, timeoutMs: number): Promise<string> {
  return until(`the update of ${service} to settle`, async () => {
    const s = await updateState(service);
    return !['updating', 'rollback_started', 'paused', 'rollback_paused'].includes(s) && s;
  }, timeoutMs, 2000);
}

/** Runs SQL inside the PostgreSQL container as the owner over TCP (an admin's session, like pgAdmin's). */
export async function psql(stack: string, query: string, user = 'chat_owner'): Promise<string[]> {
  const [pg] = await containers(`${stack}_postgres`);
  if (!pg) throw new Error('no PostgreSQL container');
  const out = await dockerOn(nodes.find((n) => n.name === pg.node)?.engine, 'exec', pg.id, 'psql', '-h', '127.0.0.1', '-U', user, '-d', 'chat', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', query);
  return out.split('\n').filter(Boolean);
}
