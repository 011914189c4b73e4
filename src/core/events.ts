export interface Disposable {
  dispose(): void;
}

/** A listener registration function, shaped like vscode.Event so the UI can pass it straight through. */
export type Event<T> = (listener: (event: T) => void) => Disposable;

export class Emitter<T> {
  private readonly listeners = new Set<(event: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
