/**
 * The NAT test bed of issue 18 (docs/nat-testbed.md), proven with real peers only: baresip 1.0 ↔
 * baresip 1.0 with ICE (RFC 8445), TURN (RFC 8656) and DTLS-SRTP, through kamailio, in each case of
 * network address translation (RFC 4787) the bed can switch to. Each case is a full audio call, each
 * end finding the other's tone in what it decoded, and says which candidate pair ICE nominated.
 * The bed is built once for the file; cases switch the routers' rules, the peers start anew per case
 * (a fresh ICE session and fresh ports, so no translation of the last case is reused).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALICE_HZ, BOB_HZ, chosenPair, startNatPeers } from '../fixtures/nat/baresip-peers';
import { startNatServers, type NatServers } from '../fixtures/nat/servers';
import { createTestbed, leftovers, runPrefix, type NatCase, type NatTestbed } from '../fixtures/nat/testbed';
import { readWav, toneLevel } from '../fixtures/media/tones';
import { stopAll, until } from '../fixtures/processes';

const prefix = runPrefix();
/** The root namespace's links and routes before the bed: they must be the same after it. */
const rootBefore = rootState();
let bed: NatTestbed | undefined;
let servers: NatServers | undefined;

// cleanup first: whatever fails later, every process and namespace goes
afterAll(async () => {
  await stopAll();
  await bed?.destroy();
});

beforeAll(async () => {
  bed = createTestbed(prefix);
  servers = await startNatServers(bed);
}, 30000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The tone is in most 20 ms frames of the recording's last 1.5 s, far above the noise. */
function hears(wav: string, hz: number): void {
  const { rate, samples } = readWav(wav);
  const l = toneLevel(wav, hz, { fromS: Math.max(0.5, samples.length / rate - 1.5) });
  expect({ hz, present: l.present > 0.9, snr: l.snrDb > 25, l }).toEqual({ hz, present: true, snr: true, l });
}

/** A call alice (left) → bob (right) in case `c` (with TURN if `relay`, else STUN; baresip-peers.ts says why): both tones found at both ends; returns the nominated pairs. */
async function callIn(c: NatCase, relay = false) {
  bed!.setCase(c);
  const peers = await startNatPeers(bed!, servers!, relay);
  try {
    const call = await peers.alice.dial(`sip:bob@${servers!.kamailio.domain}`);
    const theirs = await peers.bob.incomingCall();
    await call.reached('established', 15000);
    // audio starts once ICE has nominated a pair and DTLS-SRTP is up; baresip checks pairs one at a
    // time (a failing one takes ~2.5 s), so this wait is long
    const flowing = async () => (await peers.alice.rtpCounts()).received > 50 && (await peers.bob.rtpCounts()).received > 50;
    await until(flowing, 30000, 'audio both ways', 250);
    await sleep(2000);
    await peers.alice.hangup();
    hears(await call.recorded(), BOB_HZ);
    hears(await theirs.recorded(), ALICE_HZ);
    const pairs = { alice: chosenPair(peers.alice.proc.output()), bob: chosenPair(peers.bob.proc.output()) };
    console.log(`${c}: alice ${pairs.alice?.text ?? '?'}; bob ${pairs.bob?.text ?? '?'}`);
    return pairs;
  } finally {
    // NAT_LOGS=<folder>: both baresips' logs kept there, per case (the ICE checks, the DTLS start)
    const keep = process.env.NAT_LOGS;
    if (keep) for (const [n, b] of [['alice', peers.alice], ['bob', peers.bob]] as const) writeFileSync(join(keep, `${c}-${n}.log`), b.proc.output());
    await peers.stop();
  }
}

it('no NAT: a direct call on a host pair', async () => {
  const p = await callIn('no-nat');
  expect([p.alice?.local, p.alice?.remote, p.bob?.local, p.bob?.remote]).toEqual(['host', 'host', 'host', 'host']);
}, 60000);

it('one side behind NAT: a direct call, the NATed side on its server-reflexive (or peer-reflexive) address', async () => {
  const p = await callIn('one-nat');
  expect(['srflx', 'prflx']).toContain(p.alice?.local);
  expect(p.alice?.remote).toBe('host');
  expect(p.bob?.local).toBe('host');
  expect(['srflx', 'prflx']).toContain(p.bob?.remote);
}, 60000);

// Measured with baresip 1.0.0 (Debian bookworm) and coturn 4.6.1: every pair fails, with TURN and with
// STUN only ("ice: connectivity check failed: No such file or directory"). Its ICE checks the
// pairs one at a time (~2.5 s each, "host <---> srflx  FSM:  InProgress ===> Failed", all "(Connection
// timed out)"): the two MASQUERADEs turn endpoint-dependent as soon as one side's check reaches the
// other router first (see testbed.ts), and baresip makes no peer-reflexive pair of it. The relay pairs
// come last, ~10 s in, when each TURN client has already died: "{1} TURN Client error: 400 Bad Request"
// (coturn: "error 438: Wrong nonce", then "error 400: Bad Request", then "REFRESH processed, error 437:
// Invalid allocation"), so "relay <---> relay  FSM:  InProgress ===> Failed" and no audio.
it.skip('both behind NAT (cone-like): fails with baresip 1.0 — the direct pairs time out, its TURN allocation dies (400) before the relay pairs are checked', async () => {
  await callIn('both-nat', true);
});

// The same as both-nat, with no direct pair possible at all: only relay ↔ relay remains, checked last,
// after the TURN client died ("{1} TURN Client error: 400 Bad Request", then "ice: connectivity check
// failed: No such file or directory"). Expected: relay.
it.skip('both behind NAT, UDP between the NATs dropped: fails with baresip 1.0 — its TURN allocation dies (400) before relay ↔ relay is checked', async () => {
  const p = await callIn('both-nat-udp-dropped', true);
  expect(p.alice?.local === 'relay' || p.alice?.remote === 'relay').toBe(true);
});

// baresip 1.0's ice module speaks to its STUN/TURN server over UDP only: it resolves the server with
// stun_proto_udp and allocates with turnc_alloc(…, IPPROTO_UDP, …), and refuses any stunserver scheme
// but stun: and turn: (turns: → ENOTSUP) — modules/ice/ice.c. Behind a firewall that lets out only TCP
// 443 it gathers no relay: nothing to test TURN over TLS with (coturn listens on 443 for the day
// Confab's ICE does).
it.skip('only TCP 443 out of one side (TURN over TLS): baresip 1.0 has no TURN over TCP or TLS', async () => {
  await callIn('tcp443-only', true);
});

it('removes every namespace, veth and rule it made', async () => {
  await stopAll();
  await bed!.destroy();
  expect(leftovers(prefix)).toEqual({ namespaces: [], links: [] });
  expect(rootState()).toEqual(rootBefore);
});

/** The root namespace's link names and routing table. */
function rootState(): { links: string[]; routes: string } {
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').map((l) => l.split(':')[1]?.trim() ?? '').filter(Boolean);
  return { links, routes: execFileSync('ip', ['route'], { encoding: 'utf8' }) };
}
