/**
 * Typed events whose subscription returns a Disposable, after theia's `common/event.ts`.
 * An Emitter owns the listeners; consumers only see its `event` function.
 * @since 0.1.0
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> {
  private listeners = new Set<(e: T) => void>();

  /** What consumers subscribe to. A listener that throws is reported through `onListenerError`. */
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  constructor(private readonly onListenerError: (err: unknown) => void = defaultListenerError) {}

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        // One faulty listener never stops the others; reported where the emitter's owner decides.
        this.onListenerError(err);
      }
    }
  }

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  dispose(): void {
    this.listeners.clear();
  }
}

function defaultListenerError(err: unknown): void {
  process.emitWarning(`confab: an event listener threw: ${err instanceof Error ? err.message : String(err)}`);
}

/** Collects disposables to release together. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  add<D extends Disposable>(d: D): D {
    this.items.push(d);
    return d;
  }
  dispose(): void {
    for (const d of this.items.splice(0).reverse()) d.dispose();
  }
}

/**
 * Resolves with the first event that `accept` takes, rejects on timeout or abort, and always
 * unsubscribes (xmpp.js `events/lib/promise.js`).
 */
export function waitFor<T>(event: Event<T>, accept: (e: T) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const sub = event((e) => {
      if (!accept(e)) return;
      done();
      resolve(e);
    });
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onAbort = () => {
      done();
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    function done() {
      sub.dispose();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  });
}
