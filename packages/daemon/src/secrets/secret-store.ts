/** Where account secrets live: the Secret Service, or an encrypted file. @since 0.1.0 */
export interface SecretStore {
  readonly kind: 'secret-service' | 'file';
  get(accountId: string, name: string): Promise<string | undefined>;
  set(accountId: string, name: string, value: string): Promise<void>;
  delete(accountId: string, name: string): Promise<void>;
  deleteAccount(accountId: string): Promise<void>;
  /** The names of the secrets this account has. */
  list(accountId: string): Promise<string[]>;
  close(): Promise<void>;
}
