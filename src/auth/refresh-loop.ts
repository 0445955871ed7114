/**
 * Keeps a cached copy fresh: `refresh` once on start, then again after `delayMs()` (asked after each
 * refresh, so a failing source can be retried sooner) until stopped. The timer never keeps the
 * process alive.
 */
export class RefreshLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly refresh: () => Promise<unknown>,
    private readonly delayMs: () => number,
  ) {}

  /** The first refresh (awaited), then the background ones. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().then(() => this.schedule());
    }, this.delayMs());
    this.timer.unref();
  }
}
