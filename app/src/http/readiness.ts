import { StoreUnavailableError } from '../store/store-errors';

/** Lifecycle state behind `/readyz`. */
export type Phase = 'starting' | 'ready' | 'draining';

/**
 * Readiness: ready only after start-up finished, until draining starts, and while the
 * database answers within `timeoutMs`. Recovers by itself when the database comes back.
 */
export class Readiness {
  private phase: Phase = 'starting';

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly timeoutMs = 2000,
  ) {}

  get current(): Phase {
    return this.phase;
  }

  markReady(): void {
    if (this.phase === 'starting') this.phase = 'ready';
  }

  markDraining(): void {
    this.phase = 'draining';
  }

  /** `undefined` when ready, else the reason for not being ready. */
  async check(): Promise<string | undefined> {
    if (this.phase !== 'ready') return this.phase;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), this.timeoutMs);
        }),
      ]);
      return undefined;
    } catch (err) {
      return err instanceof StoreUnavailableError ? err.reason : 'database unreachable';
    } finally {
      clearTimeout(timer);
    }
  }
}
