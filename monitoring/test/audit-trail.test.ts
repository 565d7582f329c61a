import { environments } from '../../platform/environment-config';
import { all, synthEnvironment, type Resources } from '../../test-helpers/synth-helpers';
import { AUDIT_LOG_CATEGORIES, type AuditedResourceType } from '../audit-trail';
import { networkWatcherName, NETWORK_WATCHER_RESOURCE_GROUP, TRAFFIC_ANALYTICS_INTERVAL_MINUTES } from '../vnet-flow-logs';

const envs = environments({ ADMIN_CIDRS: '148.252.158.53/32', ALERT_EMAILS: 'oncall@shop.example' });
const synthesized = envs.map((config) => ({ config, ...synthEnvironment(config) }));
const stacks = synthesized.flatMap((s) => [
  { name: `registry (with ${s.config.name})`, resource: s.registry.resource },
  { name: `network-${s.config.name}`, resource: s.network.resource },
  { name: `platform-${s.config.name}`, resource: s.platform.resource },
]);

/** `${type.key.id}`: how a resource's id is referenced inside its own stack. */
const idRef = (type: string, key: string) => `\${${type}.${key}.id}`;
const settingsOf = (resource: Resources) => all(resource, 'azurerm_monitor_diagnostic_setting') as any[];
const categories = (setting: any): string[] => (setting.enabled_log ?? []).map((l: any) => l.category as string);

const AUDITED = (Object.keys(AUDIT_LOG_CATEGORIES) as AuditedResourceType[]).filter((t) => t !== 'azurerm_mssql_server');

test.each(AUDITED)('every %s sends its audit categories to a Log Analytics workspace', (type) => {
  let seen = 0;
  for (const stack of stacks) {
    for (const key of Object.keys(stack.resource[type] ?? {})) {
      seen++;
      const settings = settingsOf(stack.resource).filter((d) => d.target_resource_id === idRef(type, key));
      expect({ stack: stack.name, resource: key, settings: settings.length }).toEqual({ stack: stack.name, resource: key, settings: 1 });
      expect(categories(settings[0]).sort()).toEqual([...AUDIT_LOG_CATEGORIES[type]].sort());
      expect(settings[0].log_analytics_workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\.[\w-]+\.id\}$/);
    }
  }
  expect(seen).toBeGreaterThan(0);
});

test('every SQL server audits to Log Analytics: the auditing policy with log monitoring, and its master database diagnostic setting', () => {
  let seen = 0;
  for (const stack of stacks) {
    for (const key of Object.keys(stack.resource.azurerm_mssql_server ?? {})) {
      seen++;
      const policies = (all(stack.resource, 'azurerm_mssql_server_extended_auditing_policy') as any[]).filter(
        (p) => p.server_id === idRef('azurerm_mssql_server', key),
      );
      expect(policies).toEqual([expect.objectContaining({ log_monitoring_enabled: true })]);
      const settings = settingsOf(stack.resource).filter((d) => d.target_resource_id === `${idRef('azurerm_mssql_server', key)}/databases/master`);
      expect(settings).toHaveLength(1);
      expect(categories(settings[0])).toEqual([...AUDIT_LOG_CATEGORIES.azurerm_mssql_server]);
      // The setting only receives events once the policy exists.
      expect(settings[0].depends_on).toEqual([expect.stringMatching(/^azurerm_mssql_server_extended_auditing_policy\./)]);
    }
  }
  expect(seen).toBeGreaterThan(0);
});

test('AKS audit logs go to the resource-specific tables (AKSAuditAdmin), not AzureDiagnostics', () => {
  for (const s of synthesized) {
    const aks = settingsOf(s.platform.resource).find((d) => String(d.target_resource_id).includes('azurerm_kubernetes_cluster'));
    expect(aks.log_analytics_destination_type).toBe('Dedicated');
  }
});

test('every VNet has a version 2 flow log with traffic analytics to its environment workspace, every 10 minutes', () => {
  for (const s of synthesized) {
    const vnets = Object.keys(s.network.resource.azurerm_virtual_network ?? {});
    expect(vnets).toHaveLength(1);
    const logs = all(s.platform.resource, 'azurerm_network_watcher_flow_log') as any[];
    const forVnet = logs.filter((l) => String(l.target_resource_id).includes(`azurerm_virtual_network${vnets[0]}`));
    expect(forVnet).toHaveLength(1);
    const log = forVnet[0];
    expect(log).toMatchObject({
      enabled: true,
      version: 2,
      network_watcher_name: networkWatcherName(s.config.location),
      resource_group_name: NETWORK_WATCHER_RESOURCE_GROUP,
      location: s.config.location,
      retention_policy: { enabled: true, days: 30 },
    });
    expect(log.network_security_group_id).toBeUndefined();
    expect(log.traffic_analytics).toEqual({
      enabled: true,
      interval_in_minutes: TRAFFIC_ANALYTICS_INTERVAL_MINUTES,
      workspace_id: expect.stringMatching(/azurerm_log_analytics_workspace\.[\w-]+\.workspace_id/),
      workspace_region: expect.stringMatching(/azurerm_log_analytics_workspace\.[\w-]+\.location/),
      workspace_resource_id: expect.stringMatching(/azurerm_log_analytics_workspace\.[\w-]+\.id/),
    });
    const [storageKey, storage] = Object.entries<any>(s.platform.resource.azurerm_storage_account ?? {})[0]!;
    expect(log.storage_account_id).toBe(idRef('azurerm_storage_account', storageKey));
    expect(log.name).toBe(`${s.config.networking.vnetName}-flow-log`);
    expect(storage).toMatchObject({ min_tls_version: 'TLS1_2', allow_nested_items_to_be_public: false, https_traffic_only_enabled: true });
    expect(storage.network_rules).toEqual({ default_action: 'Deny', bypass: ['AzureServices'] });
  }
});
