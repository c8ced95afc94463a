import type { RequestHandler } from 'express';

import { faultError, type FaultStatus, sendGoogleError } from './google-errors';
import type { Timers } from './timers';

export interface FaultSpec {
  status: FaultStatus;
  reason?: string;
  /** How many matching requests fail, default 1. */
  times?: number;
  /** Matched against the path relative to the sandbox app; default: every Calendar API path. */
  pathPattern?: RegExp;
  latencyMs?: number;
}

const CALENDAR_API = /^\/calendar\/v3\//;
const DELAYED = /^\/(calendar\/v3\/|token$)/;

/** Added latency and injected faults, applied before any endpoint runs. */
export class TrafficControl {
  latencyMs = 0;
  private readonly faults: Array<{ spec: FaultSpec; remaining: number }> = [];

  constructor(private readonly timers: Timers) {}

  inject(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('a fault needs times >= 1');
    this.faults.push({ spec, remaining: times });
  }

  readonly middleware: RequestHandler = async (req, res, next) => {
    if (DELAYED.test(req.path)) await this.timers.sleep(this.latencyMs);
    const fault = this.take(req.path);
    if (fault === undefined) {
      next();
      return;
    }
    await this.timers.sleep(fault.latencyMs ?? 0);
    sendGoogleError(res, faultError(fault.status, fault.reason));
  };

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
