/**
 * User status (away/busy), one byte in the STATUS section and in each friend record: 0 none
 * (available), 1 away, 2 busy (tox.h `Tox_User_Status`; c-toxcore 0.2.18 `Messenger.h` `Userstatus`).
 */
import { Malformed } from '../wire/bytes';

/** `TOX_USER_STATUS_NONE` is 'available'. @since 0.1.0 */
export type UserStatus = 'available' | 'away' | 'busy';

const STATUSES: readonly UserStatus[] = ['available', 'away', 'busy'];

export function readUserStatus(byte: number, what: string): UserStatus {
  const status = STATUSES[byte];
  if (status === undefined) throw new Malformed(`${what} ${byte} is none of 0 (none), 1 (away), 2 (busy)`);
  return status;
}

export function userStatusByte(status: UserStatus): number {
  const byte = STATUSES.indexOf(status);
  if (byte < 0) throw new Malformed(`unknown user status '${String(status)}'`);
  return byte;
}
