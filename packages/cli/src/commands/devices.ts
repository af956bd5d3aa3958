import { table } from '../format';
import type { Command } from './context';

export const devices: Command = {
  name: 'devices',
  summary: 'the audio and video devices calls can use (from confab-media, which confabd starts)',
  usage: 'confab devices [--json]',
  async run(ctx) {
    const m = await (await ctx.confab()).manager();
    const list = ((await m.ListDevices()) as string[][]).map(([id, deviceClass, name, kind]) => ({ id, class: deviceClass, name, kind }));
    if (ctx.out.json) return ctx.out.data(list);
    ctx.out.print(table(list.map((d) => [d.id, d.class, d.kind, d.name]), ['DEVICE', 'CLASS', 'KIND', 'NAME']));
  },
};
