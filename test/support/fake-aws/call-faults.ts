import { QueryError } from './query-protocol.js';

/** A call to receive but never answer (until the server stops). */
export interface InjectedStall {
  /** Carry the call out first, then never answer. Default: the call is not carried out. */
  afterApplying?: boolean;
}

/** A failure to inject into the next call of an action. */
export interface InjectedFailure {
  code: string;
  message?: string;
  status?: number;
  /** Carry the call out first, then answer with the error (a lost answer: the client retries). */
  afterApplying?: boolean;
}

/** Calls of one action held until `count` of them have arrived (see gatherNext). */
interface Gathering {
  count: number;
  held: Array<() => void>;
  done: (gathered: boolean) => void;
}

/** What a test makes the endpoint do to the next calls of an action instead of answering them plainly. */
export class CallFaults {
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly stalls = new Map<string, InjectedStall[]>();
  private readonly gatherings = new Map<string, Gathering>();

  /** Makes the next call of `action` fail once (queue several for several calls). */
  failNext(action: string, failure: InjectedFailure): void {
    this.failures.set(action, [...(this.failures.get(action) ?? []), failure]);
  }

  /**
   * Makes the next call of `action` be received (it is in `calls`) but never answered; the client
   * waits until its own timeout or until the server stops. Queue several for several calls.
   */
  stallNext(action: string, options: InjectedStall = {}): void {
    this.stalls.set(action, [...(this.stalls.get(action) ?? []), options]);
  }

  /**
   * Holds the next `count` calls of `action` until all of them have arrived, then answers them
   * together, each as of that moment: processes racing on a step are made to overlap there, instead
   * of by luck. Resolves true once they did; false if fewer came within `timeoutMs` (those that
   * came are answered then).
   */
  gatherNext(action: string, count: number, timeoutMs = 20_000): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => release(false), timeoutMs);
      const gathering: Gathering = { count, held: [], done: (gathered) => release(gathered) };
      const release = (gathered: boolean) => {
        clearTimeout(timer);
        if (this.gatherings.get(action) === gathering) this.gatherings.delete(action);
        for (const answer of gathering.held.splice(0)) answer();
        resolve(gathered);
      };
      this.gatherings.set(action, gathering);
    });
  }

  takeFailure(action: string): InjectedFailure | undefined {
    return this.failures.get(action)?.shift();
  }

  takeStall(action: string): InjectedStall | undefined {
    return this.stalls.get(action)?.shift();
  }

  /** Returns once the gathering of `action`, if one is under way, is complete (at once when none is). */
  async gather(action: string): Promise<void> {
    const gathering = this.gatherings.get(action);
    if (!gathering) return;
    await new Promise<void>((release) => {
      gathering.held.push(release);
      if (gathering.held.length === gathering.count) gathering.done(true);
    });
  }
}

export function toError(failure: InjectedFailure): QueryError {
  return new QueryError(failure.code, failure.message ?? `injected ${failure.code}`, failure.status ?? (failure.code === 'InternalError' ? 500 : 400));
}
