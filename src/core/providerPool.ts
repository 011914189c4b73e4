import type { Provider, ProviderContext, ProviderDescription, ProviderFactory } from './provider';

/**
 * The live providers, made from the factory on first use and initialized once. A provider whose initialize() failed
 * is made afresh on the next use, so "Retry" after starting Docker works.
 */
export class ProviderPool {
  private readonly ready = new Map<string, Promise<Provider>>();

  constructor(
    private readonly factory: ProviderFactory,
    private readonly settingsFor: (type: string) => Record<string, unknown>,
    private readonly context: ProviderContext,
  ) {}

  types(): ProviderDescription[] {
    return this.factory.types();
  }

  describe(type: string): ProviderDescription | undefined {
    return this.factory.describe(type);
  }

  get(type: string): Promise<Provider> {
    let pending = this.ready.get(type);
    if (!pending) {
      pending = this.initialize(type);
      this.ready.set(type, pending);
      pending.catch(() => {
        if (this.ready.get(type) === pending) this.ready.delete(type);
      });
    }
    return pending;
  }

  /** Drops every provider so the next use picks up changed settings. */
  reset(): void {
    const old = [...this.ready.values()];
    this.ready.clear();
    for (const pending of old) pending.then((provider) => provider.dispose(), () => undefined);
  }

  dispose(): void {
    this.reset();
  }

  private async initialize(type: string): Promise<Provider> {
    const provider = await this.factory.create(type, this.settingsFor(type), this.context);
    try {
      await provider.initialize();
      return provider;
    } catch (error) {
      provider.dispose();
      throw error;
    }
  }
}
