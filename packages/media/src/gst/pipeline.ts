/**
 * One GStreamer pipeline, from a launch description, steered from JavaScript: state changes, the bus
 * (errors, end of stream, element messages from `level`, `spectrum`, `dtmfdetect`, rtpbin…), named
 * elements. Nothing here touches a buffer: the bus watch runs on the GLib main loop, never on a
 * streaming thread.
 *
 * Every pipeline alive is counted (`livePipelines`), so tests can check that a closed session left
 * none behind.
 * @since 0.1.0
 */
import { Emitter, type Event } from '@confab/sdk';
import { gi, type GstElement, type GstMessage, type GstPipeline } from './gi';
import { safe, type ErrorSink } from './safe';

/** An element message from the bus: the structure's name and its serialisation. */
export interface ElementMessage {
  readonly source: string;
  readonly name: string;
  readonly text: string;
}

const live = new Set<Pipeline>();
/** How long dispose() lets queued signal-handler calls run before it stops the pipeline (see there). */
const STOP_DELAY_MS = 50;

/** How many pipelines exist and have not been disposed of. */
export function livePipelines(): number {
  return live.size;
}

export class Pipeline {
  private readonly pipeline: GstPipeline;
  private readonly errorEmitter = new Emitter<string>();
  private readonly eosEmitter = new Emitter<void>();
  private readonly elementEmitter = new Emitter<ElementMessage>();
  private disposed = false;
  /** Handlers of signals a streaming thread emits, disconnected before the pipeline stops (dispose()). */
  private readonly handlers: Array<{ readonly element: GstElement; readonly id: number }> = [];

  /** A fatal error on the bus: the pipeline's own text (element and reason). */
  readonly onError: Event<string> = this.errorEmitter.event;
  readonly onEos: Event<void> = this.eosEmitter.event;
  readonly onElementMessage: Event<ElementMessage> = this.elementEmitter.event;

  /** Throws when the description does not parse (unknown element, bad property). */
  constructor(description: string, private readonly report: ErrorSink) {
    const { Gst } = gi();
    this.pipeline = Gst.parseLaunch(description);
    live.add(this);
    const bus = this.pipeline.getBus();
    bus.addSignalWatch();
    bus.on('message', safe('pipeline bus', report, undefined, (m: unknown) => this.onMessage(m as GstMessage)));
  }

  element(name: string): GstElement {
    const el = this.pipeline.getByName(name);
    if (!el) throw new Error(`no element named ${name} in the pipeline`);
    return el;
  }

  maybeElement(name: string): GstElement | null {
    return this.pipeline.getByName(name);
  }

  /** Adds a new element (e.g. a fakesink for a stream nobody plays) and brings it to the pipeline's state. */
  addElement(factory: string, properties: Record<string, unknown> = {}): GstElement {
    const { Gst } = gi();
    const el = Gst.ElementFactory.make(factory, null);
    if (!el) throw new Error(`no element ${factory}`);
    Object.assign(el, properties);
    this.pipeline.add(el);
    el.syncStateWithParent();
    return el;
  }

  /** Sends an event into the pipeline (end of stream on close, so recordings are finished). */
  sendEvent(event: unknown): boolean {
    return this.pipeline.sendEvent(event);
  }

  play(): void {
    const { Gst } = gi();
    if (this.pipeline.setState(Gst.State.PLAYING) !== Gst.StateChangeReturn.FAILURE) return;
    // the reason is the error message already on the bus (a missing file, a port in use…)
    const m = this.pipeline.getBus().popFiltered(Gst.MessageType.ERROR);
    throw new Error(m ? errorText(m) : 'the pipeline refused to start');
  }

  pause(): void {
    const { Gst } = gi();
    this.pipeline.setState(Gst.State.PAUSED);
  }

  /**
   * Connects a handler to a signal of one of the pipeline's elements that a streaming thread emits
   * (rtpbin's or webrtcbin's pad-added, request-pt-map, srtpdec's request-key), so dispose() can
   * disconnect it first. Once the pipeline is disposed the handler is not run: `whenDisposed` is
   * returned instead.
   */
  connect(element: GstElement, signal: string, handler: (...args: unknown[]) => unknown, whenDisposed?: unknown): void {
    const id = element.connect(signal, (...args: unknown[]) => (this.disposed ? whenDisposed : handler(...args)));
    this.handlers.push({ element, id });
  }

  /**
   * Stops the pipeline and releases it (its sockets and files close). Idempotent.
   *
   * node-gtk runs a handler of a signal emitted on a streaming thread on Node's main thread, holding
   * that streaming thread — and the pad lock it took — until the handler has run. Setting the state to
   * NULL then, from the main thread, waits for that lock while the streaming thread waits for the main
   * thread: a deadlock (measured: webrtcbin's pad-added from the jitter buffer's thread as a call ended,
   * confab-media hung for good — gdb: main in gst_pad_set_active, the thread in Closure::Marshal). So
   * the handlers are disconnected first and the state change waits STOP_DELAY_MS, a few turns of
   * Node's loop in which any handler call already queued runs (and returns at once: disposed). The
   * pipeline no longer counts as live from now on; its elements stop a moment later.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    live.delete(this);
    for (const h of this.handlers.splice(0)) h.element.disconnect(h.id);
    this.errorEmitter.dispose();
    this.eosEmitter.dispose();
    this.elementEmitter.dispose();
    setTimeout(() => {
      const { Gst } = gi();
      this.pipeline.setState(Gst.State.NULL);
      this.pipeline.getBus().removeSignalWatch();
    }, STOP_DELAY_MS);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private onMessage(m: GstMessage): void {
    if (this.disposed) return;
    const { Gst } = gi();
    if (m.type === Gst.MessageType.ERROR) {
      this.errorEmitter.fire(errorText(m));
    } else if (m.type === Gst.MessageType.EOS) {
      this.eosEmitter.fire();
    } else if (m.type === Gst.MessageType.ELEMENT) {
      const s = m.getStructure();
      if (s) this.elementEmitter.fire({ source: m.src?.getName() ?? '', name: s.getName(), text: s.toString() });
    }
  }
}

/** `element: reason (detail)` of an error message. */
function errorText(m: GstMessage): string {
  const [err, debug] = m.parseError();
  const detail = debug?.split('\n').pop();
  return `${m.src?.getName() ?? 'pipeline'}: ${err.message}${detail ? ` (${detail})` : ''}`;
}

/** Runs a pipeline until end of stream; rejects on its first error. Disposes of it either way. */
export function runToEos(description: string, report: ErrorSink, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let p: Pipeline;
    try {
      p = new Pipeline(description, report);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const timer = setTimeout(() => finish(new Error(`the pipeline ran past ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      p.dispose();
      if (err) reject(err);
      else resolve();
    };
    p.onEos(() => finish());
    p.onError((text) => finish(new Error(text)));
    try {
      p.play();
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
