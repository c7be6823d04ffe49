/**
 * The agent starts its components in the order buildApp lists them and stops them in reverse; a
 * component that fails to stop is logged and does not keep the others from stopping.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { buildApp, type Agent } from '../../src/app.ts';
import { Lifecycle, type Component } from '../../src/component.ts';
import { testConfig } from '../helpers/agent.ts';

const ORDER = ['security', 'outbox-store', 'devices', 'outbox', 'printing', 'queue', 'digitise', 'procedures', 'dossier'];

/**
 * Records each start and stop of the agent's components, still running the real ones; `failing`
 * stops for real (releasing its timers) and then throws, as a broken component would.
 */
function record(agent: Agent, failing: string): string[] {
  const calls: string[] = [];
  for (const c of agent.components) {
    const start = c.start.bind(c);
    const stop = c.stop.bind(c);
    vi.spyOn(c, 'start').mockImplementation(() => (calls.push(`start ${c.name}`), start()));
    vi.spyOn(c, 'stop').mockImplementation(async () => {
      calls.push(`stop ${c.name}`);
      await stop();
      if (c.name === failing) throw new Error(`${c.name} hung`);
    });
  }
  return calls;
}

describe('agent lifecycle', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('starts the components in order, stops them in reverse, and a failing stop does not stop the others from stopping', async () => {
    const config = testConfig();
    dirs.push(config.agent.dataDir);
    const agent = await buildApp(config);
    expect(agent.components.map((c) => c.name)).toEqual(ORDER);
    const calls = record(agent, 'printing');
    const logged: { component?: string }[] = [];
    vi.spyOn(agent.ctx.log, 'error').mockImplementation(((obj: { component?: string }) => void logged.push(obj)) as never);

    await agent.start({ listen: false });
    expect(calls).toEqual(ORDER.map((n) => `start ${n}`));
    calls.length = 0;
    await expect(agent.stop()).resolves.toBeUndefined();
    expect(calls).toEqual([...ORDER].reverse().map((n) => `stop ${n}`));
    expect(logged).toEqual([expect.objectContaining({ component: 'printing' })]);
    expect(agent.ctx.db.open).toBe(false);
  });

  it('after a failed start, stop() stops only what started, in reverse', async () => {
    const calls: string[] = [];
    const part = (name: string, fail = false): Component => ({
      name,
      start: () => {
        calls.push(`start ${name}`);
        if (fail) throw new Error(`${name} cannot start`);
      },
      stop: () => void calls.push(`stop ${name}`),
    });
    const life = new Lifecycle([part('a'), part('b'), part('c', true), part('d')], { error: () => undefined });
    await expect(life.start()).rejects.toThrow('c cannot start');
    await life.stop();
    expect(calls).toEqual(['start a', 'start b', 'start c', 'stop b', 'stop a']);
    await life.stop(); // twice is harmless
    expect(calls).toHaveLength(5);
  });
});
