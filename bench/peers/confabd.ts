/** confabd as a bench subject: one IRC account, driven over D-Bus like a frontend; acknowledges what it receives. */
import { join } from 'node:path';
import { DaemonFixture, REPO_ROOT, toMsg, v } from '../../test/fixtures/confabd';
import { until } from '../../test/fixtures/processes';
import type { Subject } from './subject';

export async function startConfabd(server: string, port: number, nick: string): Promise<Subject & { fixture: DaemonFixture }> {
  const d = await DaemonFixture.start({
    env: { CONFAB_LOG_LEVEL: 'warn', NODE_OPTIONS: `--expose-gc --require ${join(REPO_ROOT, 'bench', 'gc-hook.js')}` },
  });
  const m = await d.manager();
  // Flood control is opened up for the bench: the server here has no flood limits, and both
  // programs should be limited by their own speed only (telepathy-idle runs with IDLE_HTFU=1).
  const account = (await m.CreateAccount('irc', 'Bench', {
    server: v('s', server), port: v('i', port), nickname: v('s', nick), 'flood-burst': v('i', 1000), 'flood-rate': v('i', 5000),
  })) as string;
  await d.waitForStatus(account, 'connected');
  const listeners: Array<(t: string) => void> = [];
  m.on('MessagesReceived', (batch: unknown[][]) => {
    const msgs = batch.map(toMsg);
    for (const x of msgs) for (const l of listeners) l(x.body);
    m.Acknowledge(msgs.map((x) => BigInt(x.id))).catch(() => undefined);
  });
  const acc = await d.account(account);
  return {
    name: 'confabd',
    pid: d.proc.pid,
    fixture: d,
    onText: (cb) => listeners.push(cb),
    async joinRooms(rooms) {
      for (const r of rooms) await acc.JoinRoom(r, '');
    },
    stop: () => d.stop(),
    async retained() {
      const from = d.proc.output().length;
      d.proc.child.kill('SIGUSR2');
      const line = await until(() => d.proc.output().slice(from).split('\n').find((l) => l.startsWith('GCSTAT ')), 10000, 'GC figures');
      return JSON.parse(line.slice('GCSTAT '.length)) as { rss: number; heapUsed: number };
    },
  };
}
