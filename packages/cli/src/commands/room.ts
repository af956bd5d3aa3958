/** confab room CHANNEL show|topic|kick|invite|role|mode */
import { UsageError } from '../args';
import { CHANNEL, channelPath } from '../bus';
import { table } from '../format';
import type { Command } from './context';

const USAGE = `usage:
  confab room CHANNEL show
  confab room CHANNEL topic TEXT...
  confab room CHANNEL kick MEMBER [REASON...]
  confab room CHANNEL invite CONTACT
  confab room CHANNEL role MEMBER owner|admin|op|halfop|voice|member
  confab room CHANNEL mode MODES...          (IRC: +m, -t, "+l 10")
CHANNEL is a channel id (see \`confab status\`) or its object path. Each change returns once the
server took it, or fails with the server's reason.`;

export const room: Command = {
  name: 'room',
  summary: "show a room's members and modes; set its topic, kick, invite, give roles, change modes",
  usage: USAGE,
  positionals: 2,
  async run(ctx, p) {
    const [id, sub, ...args] = p.positionals;
    const c = await ctx.confab();
    const ch = await c.channel(id);
    const need = (n: number) => {
      if (args.length < n) throw new UsageError(`missing arguments; ${USAGE}`);
    };
    switch (sub) {
      case 'show': {
        const props = await c.props(channelPath(id), CHANNEL);
        const members = (props.Members as string[][]).map(([mid, name, role]) => ({ id: mid, name, role }));
        const view = { target: props.Target, joined: props.Joined, topic: props.Topic, modes: props.Modes, members };
        if (ctx.out.json) return ctx.out.data(view);
        return ctx.out.print([
          `${String(props.Target)}${props.Joined ? '' : ' (not joined)'}`,
          `topic: ${String(props.Topic) || '-'}`,
          `modes: ${String(props.Modes) || '-'}`,
          table(members.map((m) => [m.name, m.role]), ['MEMBER', 'ROLE']),
        ].join('\n'));
      }
      case 'topic':
        await ch.SetTopic(args.join(' '));
        break;
      case 'kick':
        need(1);
        await ch.Kick(args[0], args.slice(1).join(' '));
        break;
      case 'invite':
        need(1);
        await ch.Invite(args[0]);
        break;
      case 'role':
        need(2);
        await ch.SetRole(args[0], args[1]);
        break;
      case 'mode':
        need(1);
        await ch.SetModes(args.join(' '));
        break;
      default:
        throw new UsageError(`unknown subcommand '${sub}'; ${USAGE}`);
    }
    if (ctx.out.json) return ctx.out.data({ ok: true });
    ctx.out.print('done');
  },
};
