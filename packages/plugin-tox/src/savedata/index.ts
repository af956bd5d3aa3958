export type { RawSection } from './sections';
export type { SavedNode } from './nodes';
export type { UserStatus } from './user-status';
export type { ConfirmedFriend, PendingFriend, SavedFriend } from './friends';
export { MAX_FRIEND_REQUEST_LENGTH, MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from './friends';
export type { ToxProfile } from './profile';
export {
  SectionType,
  MAX_SAVED_TCP_RELAYS,
  MAX_SAVED_PATH_NODES,
  createProfile,
  parseSavedata,
  profileToxId,
  writeSavedata,
} from './profile';
export type { PassKey } from './pass-encrypt';
export {
  WrongPassphrase,
  PASS_ENCRYPTION_EXTRA_LENGTH,
  PASS_KEY_LENGTH,
  PASS_SALT_LENGTH,
  TOX_SCRYPT_PARAMS,
  derivePassKey,
  derivePassKeySync,
  getSalt,
  isDataEncrypted,
  passDecrypt,
  passDecryptSync,
  passEncrypt,
  passEncryptSync,
  passKeyDecrypt,
  passKeyEncrypt,
} from './pass-encrypt';
