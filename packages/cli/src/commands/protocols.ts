import { table } from '../format';
import type { Command } from './context';

export const protocols: Command = {
  name: 'protocols',
  summary: 'list the protocols, or the parameters of one',
  usage: 'confab protocols [PROTOCOL] [--json]',
  async run(ctx, p) {
    const m = await (await ctx.confab()).manager();
    if (p.positionals[0]) {
      const params = ((await m.GetParameters(p.positionals[0])) as string[][]).map(([name, type, flags, dflt, description]) => ({ name, type, flags: flags ? flags.split(',') : [], default: dflt, description }));
      if (ctx.out.json) return ctx.out.data(params);
      return ctx.out.print(table(params.map((x) => [x.name, x.type, x.flags.join(','), x.default, x.description]), ['PARAMETER', 'TYPE', 'FLAGS', 'DEFAULT', 'DESCRIPTION']));
    }
    const list = ((await m.ListProtocols()) as string[][]).map(([id, name]) => ({ id, name }));
    if (ctx.out.json) return ctx.out.data(list);
    ctx.out.print(table(list.map((x) => [x.id, x.name]), ['PROTOCOL', 'NAME']));
  },
};
