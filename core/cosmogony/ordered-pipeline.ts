// Chunks transformed concurrently, delivered in order. The zones writer's output stages (compression on the
// libuv threadpool, file writes) run while the main thread goes on serialising the next zones; `depth` bounds
// how many chunks are in the pipeline (and so the memory), and push() waits when it is full (backpressure).

export class OrderedPipeline {
  private readonly queue: Promise<Buffer>[] = [];
  private draining: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  /** push() calls waiting for room. */
  private readonly waiting: (() => void)[] = [];

  constructor(
    /** Started as soon as a chunk is pushed: several run at once. */
    private readonly transform: (chunk: Buffer) => Promise<Buffer>,
    /** Called with the transformed chunks one at a time, in push order. */
    private readonly sink: (chunk: Buffer) => Promise<void>,
    private readonly depth: number,
  ) {
    if (!(depth >= 1)) throw new RangeError(`pipeline depth must be at least 1, got ${depth}`);
  }

  /** Queues a chunk; resolves once there is room for the next one. Rejects after any failure of the pipeline. */
  async push(chunk: Buffer): Promise<void> {
    this.check();
    const job = this.transform(chunk);
    // Awaited by drain() in order; this keeps a failure of a later job from being reported as unhandled first.
    job.catch(() => {});
    this.queue.push(job);
    this.draining ??= this.drain();
    while (this.queue.length >= this.depth && !this.failure) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.check();
  }

  /** Resolves when every chunk pushed has reached the sink. */
  async finish(): Promise<void> {
    while (this.draining) await this.draining;
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.sink(await this.queue[0]);
        this.queue.shift();
        this.wake();
      }
    } catch (error) {
      this.failure = { error };
      this.queue.length = 0;
      this.wake();
    } finally {
      this.draining = null;
    }
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
