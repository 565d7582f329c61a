/**
 * What the alerts fire on, per environment. The seed's three alarms (CPU 80 %, memory 80 %,
 * disk 90 %) plus what an on-call team also needs.
 */
export interface AlertThresholds {
  /** Node CPU use, percent, averaged over 5 minutes. @default 80 (the seed's) */
  readonly nodeCpuPercent: number;
  /** Node memory working set, percent, averaged over 5 minutes. @default 80 (the seed's) */
  readonly nodeMemoryPercent: number;
  /** Node disk used, percent, averaged over 5 minutes. @default 90 (the seed's) */
  readonly nodeDiskPercent: number;
  /** The app's 5xx responses as a percent of its requests over 15 minutes. @default 5 */
  readonly appErrorRatePercent: number;
  /** Container restarts of one app pod within 15 minutes that mean it is crash-looping. @default 3 */
  readonly podRestarts: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  nodeCpuPercent: 80,
  nodeMemoryPercent: 80,
  nodeDiskPercent: 90,
  appErrorRatePercent: 5,
  podRestarts: 3,
};

/** A monitoring setting breaks a rule; the message names the setting, the value and the rule. */
export class MonitoringConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`${setting} = ${JSON.stringify(value)}: ${rule}`);
    this.name = 'MonitoringConfigError';
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks the alert e-mail addresses; `at` is the setting's path in the caller's config. */
export function validateAlertEmails(emails: readonly string[], at: string): void {
  if (emails.length === 0) throw new MonitoringConfigError(at, emails, 'must name at least one e-mail address for alerts');
  emails.forEach((email, i) => {
    if (!EMAIL.test(email)) throw new MonitoringConfigError(`${at}[${i}]`, email, 'must be an e-mail address such as devops@example.com');
  });
}

/** Checks every threshold; `at` is the setting's path in the caller's config. */
export function validateAlertThresholds(t: AlertThresholds, at: string): void {
  for (const key of ['nodeCpuPercent', 'nodeMemoryPercent', 'nodeDiskPercent', 'appErrorRatePercent'] as const) {
    const v = t[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 100) {
      throw new MonitoringConfigError(`${at}.${key}`, v, 'must be a percentage above 0 and below 100');
    }
  }
  if (!Number.isInteger(t.podRestarts) || t.podRestarts < 1 || t.podRestarts > 100) {
    throw new MonitoringConfigError(`${at}.podRestarts`, t.podRestarts, 'must be a whole number of restarts from 1 to 100');
  }
}
