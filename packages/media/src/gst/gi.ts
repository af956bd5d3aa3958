/**
 * GStreamer through GObject introspection (node-gtk 4.1.1), behind the few typed shapes confab-media
 * uses. node-gtk ships no TypeScript types; this file is the one place where its untyped objects are
 * given a type, so nothing untyped leaves it.
 *
 * Traps (../../shared/notes/real-peers.md, Media): GStreamer only delivers bus signals while a GLib
 * main loop runs (see main-loop.ts); an exception thrown inside a signal callback ends the process
 * (see safe.ts); gsize values come back as BigInt; enum values are numbers.
 * @since 0.1.0
 */

/** A GObject property bag: node-gtk maps properties to camelCase fields. */
export interface GObjectLike {
  on(signal: string, callback: (...args: unknown[]) => unknown): unknown;
  /** g_signal_connect: the handler's id. */
  connect(signal: string, callback: (...args: unknown[]) => unknown): number;
  disconnect(handlerId: number): void;
  emit(signal: string, ...args: unknown[]): unknown;
}

export interface GstStructure {
  getName(): string;
  toString(): string;
  hasField(name: string): boolean;
}

export interface GstMessage {
  readonly type: number;
  readonly src: GstObjectLike | null;
  parseError(): [{ message: string }, string | null];
  parseWarning(): [{ message: string }, string | null];
  getStructure(): GstStructure | null;
}

export interface GstObjectLike extends GObjectLike {
  getName(): string;
}

export interface GstPad extends GstObjectLike {
  getName(): string;
  isLinked(): boolean;
  /** A GstPadLinkReturn: 0 is OK. */
  link(sink: GstPad): number;
  sendEvent(event: unknown): boolean;
}

export interface GstElement extends GstObjectLike {
  setState(state: number): number;
  getByName?(name: string): GstElement | null;
  getStaticPad(name: string): GstPad | null;
  syncStateWithParent(): boolean;
  sendEvent(event: unknown): boolean;
  /** Any property, by its camelCase name. */
  [property: string]: unknown;
}

export interface GstBus extends GObjectLike {
  popFiltered(types: number): GstMessage | null;
  addSignalWatch(): void;
  removeSignalWatch(): void;
}

export interface GstPipeline extends GstElement {
  getByName(name: string): GstElement | null;
  add(element: GstElement): boolean;
  getBus(): GstBus;
}

export interface GstDevice extends GstObjectLike {
  getDisplayName(): string;
  getDeviceClass(): string;
  getProperties(): GstStructure | null;
}

export interface GstDeviceMonitor extends GObjectLike {
  addFilter(classes: string, caps: null): number;
  getBus(): GstBus;
  start(): boolean;
  stop(): void;
  getDevices(): GstDevice[];
}

export interface GstModule {
  init(argv: null): void;
  version(): [number, number, number, number];
  parseLaunch(description: string): GstPipeline;
  ElementFactory: { find(name: string): unknown; make(factory: string, name: string | null): GstElement | null };
  DeviceMonitor: new () => GstDeviceMonitor;
  State: { NULL: number; READY: number; PAUSED: number; PLAYING: number };
  StateChangeReturn: { FAILURE: number };
  MessageType: Record<'EOS' | 'ERROR' | 'WARNING' | 'ELEMENT' | 'STATE_CHANGED' | 'DEVICE_ADDED' | 'DEVICE_REMOVED', number>;
}

export interface GLibMainLoop {
  run(): void;
  quit(): void;
  isRunning(): boolean;
}

export interface GLibModule {
  MainLoop: new (context: null, isRunning: boolean) => GLibMainLoop;
}

interface NodeGtk {
  require(namespace: string, version: string): unknown;
}

let loaded: { Gst: GstModule; GLib: GLibModule } | undefined;

/** Loads node-gtk and initialises GStreamer once. Throws when the typelibs are missing. */
export function gi(): { Gst: GstModule; GLib: GLibModule } {
  if (loaded) return loaded;
  // node-gtk has no types: this file gives it its types
  const nodeGtk = require('node-gtk') as NodeGtk;
  const GLib = nodeGtk.require('GLib', '2.0') as GLibModule;
  const Gst = nodeGtk.require('Gst', '1.0') as GstModule;
  Gst.init(null);
  loaded = { Gst, GLib };
  return loaded;
}

/** Whether this GStreamer has an element (e.g. `avenc_g722`, which comes with gstreamer1.0-libav). */
export function hasElement(name: string): boolean {
  return gi().Gst.ElementFactory.find(name) !== null;
}

export interface GioInetAddress {
  toString(): string;
}

export interface GioSocketAddress {
  getPort(): number;
  getAddress(): GioInetAddress;
}

export interface GioSocket {
  bind(address: GioSocketAddress, allowReuse: boolean): boolean;
  getLocalAddress(): GioSocketAddress;
  close(): boolean;
}

export interface GioModule {
  Socket: { new: (family: number, type: number, protocol: number) => GioSocket };
  InetSocketAddress: { newFromString(address: string, port: number): GioSocketAddress | null };
  SocketFamily: { IPV4: number; IPV6: number };
  SocketType: { DATAGRAM: number };
  SocketProtocol: { UDP: number };
}

export interface GstCaps {
  toString(): string;
}

export interface GstExtras {
  Caps: { fromString(text: string): GstCaps };
  Structure: { fromString(text: string): [GstStructure | null, string] };
  Event: { newCustom(type: number, structure: GstStructure): unknown; newEos(): unknown };
  EventType: { CUSTOM_UPSTREAM: number };
}

/** Gio (sockets) and the GStreamer constructors sessions need. */
export function gio(): GioModule {
  gi();
  // node-gtk has no types: this file gives it its types
  const nodeGtk = require('node-gtk') as NodeGtk;
  return nodeGtk.require('Gio', '2.0') as GioModule;
}

export function gstExtras(): GstExtras {
  return gi().Gst as unknown as GstExtras;
}

/** A GstPromise: webrtcbin answers create-offer, create-answer and get-stats through one. @since 0.3.0 */
export interface GstPromise {
  getReply(): (GstStructure & { getValue(field: string): { getBoxed(): unknown } | null }) | null;
}

/** The webrtcbin-side constructors (GstWebRTC, GstSdp). @since 0.3.0 */
export interface WebRtcModules {
  Promise: { new: () => GstPromise; newWithChangeFunc(fn: (p: GstPromise) => void): GstPromise };
  Structure: { newEmpty(name: string): GstStructure };
  SDPMessage: { newFromText(text: string): [number, unknown] };
  WebRTCSessionDescription: { new: (type: number, sdp: unknown) => unknown };
  WebRTCSDPType: { OFFER: number; ANSWER: number };
}

let webrtcLoaded: WebRtcModules | undefined;

/** GstWebRTC and GstSdp through node-gtk, once. @since 0.3.0 */
export function webrtcModules(): WebRtcModules {
  if (webrtcLoaded) return webrtcLoaded;
  const Gst = gi().Gst as unknown as { Promise: WebRtcModules['Promise']; Structure: WebRtcModules['Structure'] };
  // node-gtk has no types: this file gives it its types
  const nodeGtk = require('node-gtk') as NodeGtk;
  const W = nodeGtk.require('GstWebRTC', '1.0') as Pick<WebRtcModules, 'WebRTCSessionDescription' | 'WebRTCSDPType'>;
  const S = nodeGtk.require('GstSdp', '1.0') as Pick<WebRtcModules, 'SDPMessage'>;
  webrtcLoaded = { Promise: Gst.Promise, Structure: Gst.Structure, SDPMessage: S.SDPMessage, WebRTCSessionDescription: W.WebRTCSessionDescription, WebRTCSDPType: W.WebRTCSDPType };
  return webrtcLoaded;
}
