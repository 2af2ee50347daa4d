/**
 * Teardown registered as each resource comes up, run in reverse order at the end: a setup that
 * failed half-way cleans up exactly what it made. Every step runs even when an earlier one fails.
 */
export class Cleanup {
  readonly #steps: (() => unknown)[] = [];

  /** Registers how to release `resource`, and returns it. */
  add<T>(resource: T, release: (resource: T) => unknown): T {
    this.#steps.push(() => release(resource));
    return resource;
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanup steps failed`);
  }
}
