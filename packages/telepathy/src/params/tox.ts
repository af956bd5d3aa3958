/**
 * Tox: no Telepathy connection manager for Tox ever reached Debian, so no client hard-codes one. Tox
 * accounts are `confab/tox`: the CM name says who serves them (and cannot collide with a CM that
 * might appear), the protocol name is the one Confab and every Tox client use. Having no CM to
 * mimic, the parameters are Confab's own names (docs/telepathy.md).
 */
import type { ProtocolTable } from './table';

export const TOX: ProtocolTable = {
  confab: 'tox',
  cm: 'confab',
  protocol: 'tox',
  nickname: 'name',
  rows: [],
};
