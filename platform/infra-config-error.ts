/** A configuration value breaks a rule; the message names the setting, the value and the rule. */
export class InfraConfigError extends Error {
  constructor(setting: string, value: unknown, rule: string) {
    super(`${setting} = ${JSON.stringify(value)}: ${rule}`);
    this.name = 'InfraConfigError';
  }
}
