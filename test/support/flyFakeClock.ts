import type { Clock } from '../../src/providers/fly/flyClock';

/** A clock whose sleeps end at once and move its time on by their length: retry tests need no real waiting. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private time = 0;

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.time += ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
