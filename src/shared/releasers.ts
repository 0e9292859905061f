/**
 * Whoever opens a resource registers how to release it here; `releaseAll` runs them in reverse order,
 * keeps going past failures and reports the first one.
 */
export class Releasers {
  readonly #stack: Array<{ name: string; release: () => Promise<unknown> }> = [];
  #released: Promise<void> | undefined;

  add(name: string, release: () => Promise<unknown>): void {
    if (this.#released) throw new Error(`Cannot register ${name}: resources are already being released`);
    this.#stack.push({ name, release });
  }

  /** Idempotent: a second call waits for the first. */
  releaseAll(onError?: (name: string, error: unknown) => void): Promise<void> {
    this.#released ??= (async () => {
      let first: unknown;
      for (const { name, release } of this.#stack.reverse()) {
        try {
          await release();
        } catch (error) {
          onError?.(name, error);
          first ??= error;
        }
      }
      if (first !== undefined)
        throw first instanceof Error ? first : new Error('Closing a resource failed', { cause: first });
    })();
    return this.#released;
  }
}
