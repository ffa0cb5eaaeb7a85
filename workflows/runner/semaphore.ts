// How many container steps run at once on this machine (Argo's semaphores and parallelism are cluster
// behaviour; locally it is `--parallelism` or the WorkflowTemplate's `parallelism`).
export class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}

  /** Waits for a free slot; returns the function that gives it back. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
