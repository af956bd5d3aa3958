/**
 * The error boundary per account. Everything a connection does runs inside
 * `accountContext.run(accountId, …)`, and Node carries that context into every callback and promise
 * created from there (sockets, timers). So an exception a plugin throws asynchronously, which would
 * otherwise be uncaught, can be traced to its account: the supervisor ends that account's connection
 * with reason `crashed` and reconnects it; no other account is touched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const accountContext = new AsyncLocalStorage<string>();
