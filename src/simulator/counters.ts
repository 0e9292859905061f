/** Everything the simulator was asked, so tests and benchmarks can check what the client really did. */

export interface CountsSnapshot {
  total: number;
  byEndpoint: Record<string, number>;
  bySupplier: Record<string, number>;
  /** Requests per wall-clock second (epoch seconds as keys), the last 10 minutes. */
  bySecond: Record<string, number>;
  /** The most requests to /cpro/** in any sliding 1-second window. */
  maxInAnySecond: number;
  depositsByInvoiceNumber: Record<string, number>;
}

const KEEP_SECONDS = 600;

export class RequestCounter {
  total = 0;
  readonly byEndpoint = new Map<string, number>();
  readonly bySupplier = new Map<string, number>();
  readonly bySecond = new Map<number, number>();
  #apiTimes: number[] = [];
  #maxInAnySecond = 0;
  /** Every API call's arrival, for the windows over a limit (the last 200 000). */
  readonly #allApiTimes: number[] = [];

  record(endpoint: string, supplierLogin: string | null, atMs: number, isApiCall: boolean): void {
    this.total += 1;
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
    if (supplierLogin) this.bySupplier.set(supplierLogin, (this.bySupplier.get(supplierLogin) ?? 0) + 1);
    const second = Math.floor(atMs / 1000);
    this.bySecond.set(second, (this.bySecond.get(second) ?? 0) + 1);
    for (const key of this.bySecond.keys()) if (key < second - KEEP_SECONDS) this.bySecond.delete(key);
    if (isApiCall) {
      this.#allApiTimes.push(atMs);
      if (this.#allApiTimes.length > 200_000) this.#allApiTimes.splice(0, 100_000);
      this.#apiTimes.push(atMs);
      while (this.#apiTimes.length > 0 && this.#apiTimes[0]! <= atMs - 1000) this.#apiTimes.shift();
      this.#maxInAnySecond = Math.max(this.#maxInAnySecond, this.#apiTimes.length);
    }
  }

  /** Sliding one-second windows, one starting at each call, that held more than `limit` calls. */
  windowsOver(limit: number): number {
    let over = 0;
    let end = 0;
    const times = this.#allApiTimes;
    for (let start = 0; start < times.length; start++) {
      while (end < times.length && times[end]! < times[start]! + 1000) end++;
      if (end - start > limit) over++;
    }
    return over;
  }

  reset(): void {
    this.#allApiTimes.length = 0;
    this.total = 0;
    this.byEndpoint.clear();
    this.bySupplier.clear();
    this.bySecond.clear();
    this.#apiTimes = [];
    this.#maxInAnySecond = 0;
  }

  snapshot(depositsByInvoiceNumber: Map<string, number>): CountsSnapshot {
    return {
      total: this.total,
      byEndpoint: Object.fromEntries(this.byEndpoint),
      bySupplier: Object.fromEntries(this.bySupplier),
      bySecond: Object.fromEntries([...this.bySecond].map(([k, v]) => [String(k), v])),
      maxInAnySecond: this.#maxInAnySecond,
      depositsByInvoiceNumber: Object.fromEntries(depositsByInvoiceNumber),
    };
  }
}
