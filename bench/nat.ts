/**
 * bench/nat — call set-up across the NAT test bed (issue 18; docs/nat-testbed.md): baresip 1.0 ↔
 * baresip 1.0 with ICE (RFC 8445) and DTLS-SRTP through kamailio, per case. Not a test: it prints
 * figures. Root is needed (network namespaces).
 *
 *   npm run bench -- nat
 *
 * Set-up is measured as bench/calls measures it: from the INVITE being asked for (the caller's `dial`)
 * to the callee's first RTP packet, its CALL_RTPESTAB (auto-answering bob), stamped on arrival by a
 * 1 ms poll. Across NATs that includes ICE's connectivity checks and the DTLS handshake: baresip sends
 * no audio before both. Fresh peers per case (STUN; TURN with `RELAY=1`); a case that does not connect
 * within CONNECT_S is tried once and reported as such.
 */
import { startNatPeers } from '../test/fixtures/nat/baresip-peers';
import { startNatServers } from '../test/fixtures/nat/servers';
import { createTestbed, NAT_CASES, type NatCase } from '../test/fixtures/nat/testbed';
import { stopAll, until } from '../test/fixtures/processes';
import { stamp } from './peers/stamps';
import { pct, sleep } from './peers/wait';

const CALLS = Number(process.env.CALLS ?? 5);
const CONNECT_S = Number(process.env.CONNECT_S ?? 30);
const RELAY = process.env.RELAY === '1';
const CASES = (process.env.CASES?.split(',') ?? NAT_CASES) as NatCase[];

async function main(): Promise<void> {
  const bed = createTestbed();
  try {
    const servers = await startNatServers(bed);
    console.log(`baresip ↔ baresip, ICE + DTLS-SRTP, PCMU, ${RELAY ? 'TURN' : 'STUN'}: INVITE asked for → the callee's first RTP packet (CALL_RTPESTAB); up to ${CALLS} calls per case`);
    for (const c of CASES) {
      bed.setCase(c);
      const peers = await startNatPeers(bed, servers, RELAY);
      const bobStamps = stamp(peers.bob);
      const times: number[] = [];
      let failure = '';
      try {
        for (let i = 0; i < CALLS && !failure; i++) {
          const t0 = performance.now();
          await peers.alice.dial(`sip:bob@${servers.kamailio.domain}`);
          const theirs = await peers.bob.incomingCall();
          try {
            times.push((await until(() => bobStamps.eventAt('CALL_RTPESTAB', theirs.id), CONNECT_S * 1000, 'the callee\'s CALL_RTPESTAB', 5)) - t0);
          } catch (err) {
            failure = (err as Error).message;
          }
          await peers.alice.hangup().catch(() => undefined);
          await theirs.reached('closed', 10000).catch(() => undefined);
          await sleep(300);
        }
      } finally {
        bobStamps.stop();
        await peers.stop();
      }
      const figures = times.length ? `median ${pct(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (${times.length} calls)` : 'no call';
      console.log(`  ${c.padEnd(22)} ${figures}${failure ? `; did not connect: ${failure}` : ''}`);
    }
  } finally {
    await stopAll();
    await bed.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
