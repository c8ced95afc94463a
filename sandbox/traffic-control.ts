import type { RequestHandler } from 'express';

import {
  calendarMethod,
  faultError,
  type FaultReason,
  type FaultStatus,
  sendGoogleError,
} from './google-errors';
import { seededRandom } from './random';
import type { Timers } from './timers';

/** A known reason gets Google's body for it; any other string is answered with the status's default body. */
export type FaultReasonInput = FaultReason | (string & Record<never, never>);

export interface FaultSpec {
  status: FaultStatus;
  reason?: FaultReasonInput;
  /** How many matching requests fail, default 1. */
  times?: number;
  /** Matched against the path relative to the sandbox app; default: every Calendar API path. */
  pathPattern?: RegExp;
  latencyMs?: number;
}

/**
 * Faults at random instead of in order: a share of Calendar API requests fails (with a status drawn from
 * `faults`) and a share is answered slowly, until the storm is stopped. Seeded, so a run can be repeated.
 */
export interface StormSpec {
  failureRate: number;
  faults: Array<{ status: FaultStatus; reason?: FaultReasonInput }>;
  slowRate?: number;
  slowMs?: number;
  seed?: number;
}

/** A request held by the sandbox until the test lets it go: a worker paused mid-call, without sleeps. */
export interface Gate {
  /** Resolves when a matching request arrived and is being held. */
  reached: Promise<void>;
  release(): void;
}

const CALENDAR_API = /^\/calendar\/v3\//;
const DELAYED = /^\/(calendar\/v3\/|token$)/;

/** Added latency and injected faults, applied before any endpoint runs. */
export class TrafficControl {
  latencyMs = 0;
  private readonly faults: Array<{ spec: FaultSpec; remaining: number }> = [];
  private storm: { spec: StormSpec; random: () => number } | null = null;
  private readonly gates: Array<{ pattern: RegExp; arrived: () => void; released: Promise<void> }> = [];

  constructor(private readonly timers: Timers) {}

  inject(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('a fault needs times >= 1');
    this.faults.push({ spec, remaining: times });
  }

  startStorm(spec: StormSpec): void {
    if (!(spec.failureRate >= 0 && spec.failureRate <= 1) || spec.faults.length === 0)
      throw new Error('a storm needs a failure rate from 0 to 1 and at least one fault');
    this.storm = { spec, random: seededRandom(spec.seed ?? 1) };
  }

  stopStorm(): void {
    this.storm = null;
  }

  /** Holds the next request whose URL (path and query) matches until `release()` (or the sandbox closes). */
  hold(pattern: RegExp): Gate {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.gates.push({ pattern, arrived, released: Promise.race([released, this.timers.closing]) });
    return { reached, release };
  }

  readonly middleware: RequestHandler = async (req, res, next) => {
    const gate = this.gates.findIndex(({ pattern }) => req.url.search(pattern) >= 0);
    if (gate >= 0) {
      const [held] = this.gates.splice(gate, 1);
      held!.arrived();
      await held!.released;
    }
    if (DELAYED.test(req.path)) await this.timers.sleep(this.latencyMs);
    const fault = this.take(req.path) ?? (await this.stormFault(req.path));
    if (fault === undefined) {
      next();
      return;
    }
    await this.timers.sleep(fault.latencyMs ?? 0);
    sendGoogleError(res, faultError(fault.status, fault.reason, calendarMethod(req.method, req.path)));
  };

  private async stormFault(path: string): Promise<FaultSpec | undefined> {
    if (this.storm === null || !CALENDAR_API.test(path)) return undefined;
    const { spec, random } = this.storm;
    if (random() < (spec.slowRate ?? 0)) await this.timers.sleep(spec.slowMs ?? 1000);
    if (random() >= spec.failureRate) return undefined;
    return spec.faults[Math.floor(random() * spec.faults.length)];
  }

  private take(path: string): FaultSpec | undefined {
    // `search` ignores a /g pattern's lastIndex, so a pattern behaves the same on every request.
    const index = this.faults.findIndex(({ spec }) => path.search(spec.pathPattern ?? CALENDAR_API) >= 0);
    const fault = this.faults[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(index, 1);
    return fault.spec;
  }
}
