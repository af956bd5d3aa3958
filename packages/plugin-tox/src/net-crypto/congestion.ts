/**
 * Congestion control of one crypto connection, after c-toxcore's send_crypto_packets (net_crypto.c;
 * the Tox spec leaves it to the implementation): every 50 ms the send rate is set from what was
 * acknowledged over the last 12 × 50 ms, reduced when the send queue grows beyond twice that rate,
 * raised by 20 % after a second without a congestion event; a token bucket of `packetsLeft` limits
 * packets sent under congestion control, and a second one (`packetsLeftRequested`) resends.
 * Fields keep c-toxcore's names, in camel case. Pure arithmetic on an injected `now`.
 * @since 0.5.0
 */
import {
  CONGESTION_EVENT_TIMEOUT_MS, CONGESTION_LAST_SENT_ARRAY_SIZE, CONGESTION_QUEUE_ARRAY_SIZE, CRYPTO_MIN_QUEUE_LENGTH,
  CRYPTO_PACKET_MIN_RATE, CRYPTO_SEND_PACKET_INTERVAL_MS, PACKET_COUNTER_AVERAGE_INTERVAL_MS, REQUEST_PACKETS_COMPARE_CONSTANT,
  SEND_QUEUE_RATIO,
} from './constants';

export class Congestion {
  /** Lossless packets congestion control lets through now. */
  packetsLeft = CRYPTO_MIN_QUEUE_LENGTH;
  /** Packets that may be resent now. */
  packetsLeftRequested = 0;
  /** The send rate allowed, packets/s. */
  packetSendRate = CRYPTO_PACKET_MIN_RATE;

  private packetCounter = 0;
  private packetRecvRate = 0;
  private packetCounterSetAt = 0;
  private lastPacketsLeftSet = 0;
  private lastPacketsLeftRem = 0;
  private packetSendRateRequested = CRYPTO_PACKET_MIN_RATE;
  private lastPacketsLeftRequestedSet = 0;
  private lastPacketsLeftRequestedRem = 0;
  private readonly lastSendQueueSize = new Array<number>(CONGESTION_QUEUE_ARRAY_SIZE).fill(0);
  private lastSendQueueCounter = 0;
  private readonly lastNumSent = new Array<number>(CONGESTION_LAST_SENT_ARRAY_SIZE).fill(0);
  private readonly lastNumResent = new Array<number>(CONGESTION_LAST_SENT_ARRAY_SIZE).fill(0);
  private packetsSent = 0;
  private packetsResent = 0;
  private lastCongestionEvent = 0;

  /** A lossless packet was delivered from the receive buffer. */
  received(): void {
    this.packetCounter++;
  }

  /** A lossless packet went out under congestion control. */
  sent(): void {
    this.packetsLeft--;
    this.packetsLeftRequested = Math.max(0, this.packetsLeftRequested - 1);
    this.packetsSent++;
  }

  /** Whether a request packet is due early: packets arrive fast, so ask between every 50 ms and 1 s. */
  requestDue(now: number, lastRequestSentAt: number, recvQueued: number): boolean {
    const interval = this.requestInterval(recvQueued);
    return interval !== undefined && now - lastRequestSentAt > interval;
  }

  /**
   * How often request packets go out while packets arrive fast (between 50 ms and 1 s), or
   * `undefined` when they do not (net_crypto.c send_crypto_packets' request_packet_interval).
   */
  requestInterval(recvQueued: number): number | undefined {
    if (this.packetRecvRate <= CRYPTO_PACKET_MIN_RATE) return undefined;
    let interval = REQUEST_PACKETS_COMPARE_CONSTANT / ((recvQueued + 1) / (this.packetRecvRate + 1));
    const interval2 = (CRYPTO_PACKET_MIN_RATE / this.packetRecvRate) * CRYPTO_SEND_PACKET_INTERVAL_MS + PACKET_COUNTER_AVERAGE_INTERVAL_MS;
    interval = Math.min(interval, interval2);
    return Math.max(PACKET_COUNTER_AVERAGE_INTERVAL_MS, Math.min(CRYPTO_SEND_PACKET_INTERVAL_MS, interval));
  }

  /** Measures the rates (every 50 ms) and refills both buckets; `sendQueued` is the send buffer's count. */
  update(now: number, rttMs: number, sendQueued: number): void {
    if (this.packetCounterSetAt + PACKET_COUNTER_AVERAGE_INTERVAL_MS < now) this.measure(now, rttMs, sendQueued);
    this.refill(now);
  }

  /** `count` packets were resent from the requested bucket; running out is a congestion event. */
  resent(count: number, now: number): void {
    this.packetsLeftRequested -= count;
    this.packetsResent += count;
    if (count < this.packetsLeft) this.packetsLeft -= count;
    else {
      this.lastCongestionEvent = now;
      this.packetsLeft = 0;
    }
  }

  private measure(now: number, rttMs: number, queued: number): void {
    const dt = now - this.packetCounterSetAt;
    this.packetRecvRate = this.packetCounter / (dt / 1000);
    this.packetCounter = 0;
    this.packetCounterSetAt = now;
    const sent = this.packetsSent;
    const resent = this.packetsResent;
    this.packetsSent = 0;
    this.packetsResent = 0;

    const pos = this.lastSendQueueCounter % CONGESTION_QUEUE_ARRAY_SIZE;
    this.lastSendQueueSize[pos] = queued;
    const growth = this.lastSendQueueSize[pos] - this.lastSendQueueSize[(pos + 1) % CONGESTION_QUEUE_ARRAY_SIZE];
    const sentPos = this.lastSendQueueCounter % CONGESTION_LAST_SENT_ARRAY_SIZE;
    this.lastNumSent[sentPos] = sent;
    this.lastNumResent[sentPos] = resent;
    this.lastSendQueueCounter = (this.lastSendQueueCounter + 1) % (CONGESTION_QUEUE_ARRAY_SIZE * CONGESTION_LAST_SENT_ARRAY_SIZE);

    // what was sent one round-trip ago, over 12 intervals: the rate the link took
    const window = CONGESTION_LAST_SENT_ARRAY_SIZE - CONGESTION_QUEUE_ARRAY_SIZE;
    const delay = Math.min(window, Math.floor(rttMs / PACKET_COUNTER_AVERAGE_INTERVAL_MS + 0.5));
    let totalSent = 0;
    let totalResent = 0;
    for (let j = 0; j < CONGESTION_QUEUE_ARRAY_SIZE; j++) {
      const ind = (j + (window - delay) + sentPos) % CONGESTION_LAST_SENT_ARRAY_SIZE;
      totalSent += this.lastNumSent[ind];
      totalResent += this.lastNumResent[ind];
    }
    if (growth > 0) totalSent -= growth;
    else if (totalResent > -growth) totalResent = -growth;

    const span = CONGESTION_QUEUE_ARRAY_SIZE * PACKET_COUNTER_AVERAGE_INTERVAL_MS;
    const minSpeed = Math.max(CRYPTO_PACKET_MIN_RATE, (1000 * totalSent) / span);
    const minSpeedRequest = (1000 * (totalSent + totalResent)) / span;
    const ratio = queued / minSpeed;
    if (ratio > SEND_QUEUE_RATIO && CRYPTO_MIN_QUEUE_LENGTH < queued) this.packetSendRate = minSpeed / (ratio / SEND_QUEUE_RATIO);
    else if (this.lastCongestionEvent + CONGESTION_EVENT_TIMEOUT_MS < now) this.packetSendRate = minSpeed * 1.2;
    else this.packetSendRate = minSpeed * 0.9;
    this.packetSendRateRequested = minSpeedRequest * 1.2;
    this.packetSendRate = Math.max(CRYPTO_PACKET_MIN_RATE, this.packetSendRate);
    this.packetSendRateRequested = Math.max(this.packetSendRate, this.packetSendRateRequested);
  }

  private refill(now: number): void {
    if (this.lastPacketsLeftSet === 0 || this.lastPacketsLeftRequestedSet === 0) {
      this.lastPacketsLeftSet = now;
      this.lastPacketsLeftRequestedSet = now;
      this.packetsLeft = CRYPTO_MIN_QUEUE_LENGTH;
      this.packetsLeftRequested = CRYPTO_MIN_QUEUE_LENGTH;
      return;
    }
    if (Math.floor(1000 / this.packetSendRate + 0.5) + this.lastPacketsLeftSet <= now) {
      const n = this.packetSendRate * ((now - this.lastPacketsLeftSet) / 1000) + this.lastPacketsLeftRem;
      const whole = Math.floor(n);
      const cap = whole * 4 + CRYPTO_MIN_QUEUE_LENGTH;
      this.packetsLeft = this.packetsLeft > cap ? cap : this.packetsLeft + whole;
      this.lastPacketsLeftSet = now;
      this.lastPacketsLeftRem = n - whole;
    }
    if (Math.floor(1000 / this.packetSendRateRequested + 0.5) + this.lastPacketsLeftRequestedSet <= now) {
      const n = this.packetSendRateRequested * ((now - this.lastPacketsLeftRequestedSet) / 1000) + this.lastPacketsLeftRequestedRem;
      const whole = Math.floor(n);
      this.packetsLeftRequested = whole;
      this.lastPacketsLeftRequestedSet = now;
      this.lastPacketsLeftRequestedRem = n - whole;
    }
    if (this.packetsLeft > this.packetsLeftRequested) this.packetsLeftRequested = this.packetsLeft;
  }
}
