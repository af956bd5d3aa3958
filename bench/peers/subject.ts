/** What bench/irc measures, whichever program it is: joins rooms, hands every received line to `onText`. */
export interface Subject {
  readonly name: string;
  /** The PID whose RSS is measured. */
  readonly pid: number;
  /** Joins; with `listen` false, messages in these rooms need not reach onText (the memory phase). */
  joinRooms(rooms: readonly string[], listen?: boolean): Promise<void>;
  /** Called once per received message text, in the order the subject announced them. */
  onText(cb: (text: string) => void): void;
  stop(): Promise<void>;
  /** Retained memory after a full GC, in bytes, where the program can tell (a GC'd runtime). */
  retained?(): Promise<{ rss: number; heapUsed: number }>;
}
