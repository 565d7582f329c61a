import { environments } from '../../platform/environment-config';
import { all, only, synthEnvironment, type Resources } from '../../test-helpers/synth-helpers';

// One test per Checkov check that applies to these resources, named by its id, evaluated on
// the synthesized Terraform JSON of both stacks. Where the repo deliberately does not meet a
// check, the test asserts the documented exception instead (see docs/policy-exceptions.md).

const INTERNET = ['*', '0.0.0.0/0', '0.0.0.0', 'Internet', 'any', '<nw>/0', '/0'];

describe.each(environments({ ADMIN_CIDRS: '148.252.158.53/32' }).map((c) => [c.name, c] as const))('%s', (_name, config) => {
  const { network, platform } = synthEnvironment(config);
  const resource: Resources = { ...network.resource, ...platform.resource };
  const aks = only(resource, 'azurerm_kubernetes_cluster') as Record<string, any>;
  const pools = [aks.default_node_pool, ...all(resource, 'azurerm_kubernetes_cluster_node_pool')] as Record<string, any>[];
  const kv = only(resource, 'azurerm_key_vault') as Record<string, any>;
  const sql = only(resource, 'azurerm_mssql_server') as Record<string, any>;
  const inboundAllows = (port: string) =>
    all(resource, 'azurerm_network_security_rule').filter((r) => {
      if (r.direction !== 'Inbound' || r.access !== 'Allow') return false;
      const ports = [r.destination_port_range, ...((r.destination_port_ranges as string[] | undefined) ?? [])].filter(Boolean) as string[];
      return ports.some(
        (p) => p === '*' || p === port || (p.includes('-') && Number(p.split('-')[0]) <= Number(port) && Number(port) <= Number(p.split('-')[1])),
      );
    });
  const fromInternet = (r: Record<string, unknown>) =>
    [r.source_address_prefix, ...((r.source_address_prefixes as string[] | undefined) ?? [])].some(
      (s) => typeof s === 'string' && INTERNET.includes(s),
    );

  test('CKV_AZURE_4: AKS logging to Azure Monitor is configured', () => {
    expect(aks.oms_agent?.log_analytics_workspace_id).toBeTruthy();
  });
  test('CKV_AZURE_5: RBAC is enabled on AKS', () => {
    expect(aks.role_based_access_control_enabled).toBe(true);
  });
  test('CKV_AZURE_6: AKS API server defines authorized IP ranges', () => {
    expect(aks.api_server_access_profile.authorized_ip_ranges.length).toBeGreaterThan(0);
  });
  test('CKV_AZURE_7: AKS cluster has a network policy', () => {
    expect(aks.network_profile.network_policy).toBeTruthy();
  });
  test('CKV_AZURE_141: local accounts are disabled', () => {
    expect(aks.local_account_disabled).toBe(true);
  });
  test('CKV_AZURE_168: every node pool allows at least 50 pods per node', () => {
    for (const pool of pools) expect(pool.max_pods).toBeGreaterThanOrEqual(50);
  });
  test('CKV_AZURE_170: AKS uses a paid SKU with an SLA', () => {
    expect(aks.sku_tier).toBe('Standard');
  });
  test('CKV_AZURE_171: AKS has an automatic upgrade channel', () => {
    expect(['patch', 'stable', 'rapid', 'node-image']).toContain(aks.automatic_upgrade_channel);
  });
  test('CKV_AZURE_172: the Secrets Store CSI driver rotates secrets', () => {
    expect(aks.key_vault_secrets_provider.secret_rotation_enabled).toBe(true);
  });
  test('CKV_AZURE_116: Azure Policy add-on is enabled', () => {
    expect(aks.azure_policy_enabled).toBe(true);
  });
  test('CKV_AZURE_226: node pools use ephemeral OS disks', () => {
    for (const pool of pools) expect(pool.os_disk_type).toBe('Ephemeral');
  });
  test('CKV_AZURE_227: node pools encrypt temp disks and caches at the host', () => {
    for (const pool of pools) expect(pool.host_encryption_enabled).toBe(true);
  });
  test('CKV_AZURE_115 (exception): the cluster is not private; the API server is public but limited to admin CIDRs', () => {
    expect(aks.private_cluster_enabled).toBeUndefined();
    expect(aks.api_server_access_profile.authorized_ip_ranges).not.toContain('0.0.0.0/0');
  });
  test('CKV_AZURE_117 (exception): OS disks are ephemeral, so no disk encryption set applies', () => {
    expect(aks.disk_encryption_set_id).toBeUndefined();
    expect(aks.default_node_pool.os_disk_type).toBe('Ephemeral');
  });

  test('CKV_AZURE_110: Key Vault has purge protection', () => {
    expect(kv.purge_protection_enabled).toBe(true);
    expect(kv.soft_delete_retention_days).toBe(config.data.keyVaultSoftDeleteRetentionDays);
  });
  test('CKV_AZURE_109: Key Vault firewall denies by default', () => {
    expect(kv.network_acls.default_action).toBe('Deny');
  });
  test('CKV_AZURE_189: Key Vault public network access is disabled', () => {
    expect(kv.public_network_access_enabled).toBe(false);
  });
  test('CKV2_AZURE_32: Key Vault is reached through a private endpoint', () => {
    const endpoints = all(resource, 'azurerm_private_endpoint').filter((e) =>
      String((e.private_service_connection as any).private_connection_resource_id).includes('azurerm_key_vault.'),
    );
    expect(endpoints).toHaveLength(1);
    expect((endpoints[0]!.private_service_connection as any).subresource_names).toEqual(['vault']);
  });
  test('CKV_AZURE_114: Key Vault secrets have a content type', () => {
    for (const s of all(resource, 'azurerm_key_vault_secret')) expect(s.content_type).toBeTruthy();
  });
  test('CKV_AZURE_41: Key Vault secrets have an expiration date', () => {
    for (const s of all(resource, 'azurerm_key_vault_secret')) expect(s.expiration_date).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  test('CKV_AZURE_9: RDP is not allowed from the Internet', () => {
    expect(inboundAllows('3389').filter(fromInternet)).toEqual([]);
  });
  test('CKV_AZURE_10: SSH is not allowed from the Internet', () => {
    expect(inboundAllows('22').filter(fromInternet)).toEqual([]);
  });
  test('CKV_AZURE_160: HTTP (80) is not allowed from the Internet', () => {
    expect(config.exposure.mode).not.toBe('public');
    expect(inboundAllows('80').filter(fromInternet)).toEqual([]);
  });
  test('CKV2_AZURE_31: every subnet has an NSG', () => {
    const subnets = Object.keys(resource.azurerm_subnet!);
    const associated = all(resource, 'azurerm_subnet_network_security_group_association').map((a) => String(a.subnet_id));
    for (const key of subnets) expect(associated).toContain(`\${azurerm_subnet.${key}.id}`);
  });

  test('CKV_AZURE_52: SQL server requires TLS 1.2', () => {
    expect(sql.minimum_tls_version).toBe('1.2');
  });
  test('CKV_AZURE_113: SQL server public network access is disabled', () => {
    expect(sql.public_network_access_enabled).toBe(false);
  });
  test('CKV_AZURE_23: SQL server auditing is enabled', () => {
    const policy = only(resource, 'azurerm_mssql_server_extended_auditing_policy');
    expect(policy.server_id).toMatch(/azurerm_mssql_server\./);
    expect(policy.enabled).not.toBe(false);
  });
  test('CKV_AZURE_24: SQL auditing retention is at least 90 days', () => {
    expect(only(resource, 'azurerm_mssql_server_extended_auditing_policy').retention_in_days).toBeGreaterThanOrEqual(90);
  });
});

describe('a public environment', () => {
  const [, publicProd] = environments({ ADMIN_CIDRS: '148.252.158.53/32', PUBLIC_HOST_PROD: 'orders.shop.example' });
  const { network } = synthEnvironment(publicProd!);
  const fromInternet = all(network.resource, 'azurerm_network_security_rule').filter(
    (r) => r.access === 'Allow' && r.source_address_prefix === 'Internet',
  );

  test('CKV_AZURE_160 (exception): port 80 is open from the Internet to the ingress, which only redirects to HTTPS', () => {
    expect(fromInternet).toHaveLength(1);
    expect(fromInternet[0]!.destination_port_ranges).toEqual(['80', '443']);
  });
  test('CKV_AZURE_9, CKV_AZURE_10: RDP and SSH stay closed from the Internet', () => {
    for (const r of fromInternet) expect(r.destination_port_ranges).not.toEqual(expect.arrayContaining(['22']));
    for (const r of fromInternet) expect(r.destination_port_ranges).not.toEqual(expect.arrayContaining(['3389']));
  });
});

describe('registry', () => {
  const { registry } = synthEnvironment(environments({})[0]!);
  const acr = only(registry.resource, 'azurerm_container_registry') as Record<string, any>;

  test('CKV_AZURE_137: the admin account is disabled', () => {
    expect(acr.admin_enabled).toBe(false);
  });
  test('CKV_AZURE_138: anonymous pull is disabled', () => {
    expect(acr.anonymous_pull_enabled).toBe(false);
  });
  test('CKV_AZURE_167: untagged manifests are purged by a retention policy', () => {
    expect(acr.sku).toBe('Premium');
    expect(acr.retention_policy_in_days).toBeGreaterThanOrEqual(1);
  });
  test('CKV_AZURE_233: the registry is zone redundant', () => {
    expect(acr.zone_redundancy_enabled).toBe(true);
  });
  test('CKV_AZURE_237: dedicated data endpoints are enabled', () => {
    expect(acr.data_endpoint_enabled).toBe(true);
  });
  test(
    'CKV_AZURE_139 (public network access disabled) is a documented exception: ' +
      'hosted agents push over the public endpoint, with Entra auth only',
    () => {
      expect(acr.public_network_access_enabled).toBe(true);
      expect(acr.admin_enabled).toBe(false);
      expect(acr.anonymous_pull_enabled).toBe(false);
    },
  );
  test('CKV_AZURE_165/166 (geo-replication, quarantine) are documented exceptions: one region, images are built by this pipeline only', () => {
    expect(acr.georeplications).toBeUndefined();
    expect(acr.quarantine_policy_enabled).toBeUndefined();
  });
});
