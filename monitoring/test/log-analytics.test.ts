import { Testing, TerraformStack } from 'cdktf';
import { LogAnalytics } from '../log-analytics';

function workspace(retentionDays: number, dailyQuotaGb = -1): Record<string, unknown> {
  const stack = new TerraformStack(Testing.app(), 'test');
  new LogAnalytics(stack, 'logs', { name: 'logs', resourceGroup: { name: 'rg' }, location: 'uksouth', retentionDays, dailyQuotaGb });
  const synth = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  return Object.values(synth.resource.azurerm_log_analytics_workspace!)[0]!;
}

test('the workspace keeps logs for the configured days, caps ingestion, and allows no shared-key access', () => {
  expect(workspace(90, 2)).toMatchObject({ sku: 'PerGB2018', retention_in_days: 90, daily_quota_gb: 2, local_authentication_enabled: false });
});

test.each([7, 29, 731, 30.5])('throws for a retention of %p days', (days) => {
  expect(() => workspace(days)).toThrow(`retentionDays must be a whole number from 30 to 730; got ${days}`);
});
