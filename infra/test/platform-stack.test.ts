import { AppContract } from '../../app/src/app-contract';
import { environments, InfraConfigError, validateEnvironment, type EnvironmentConfig } from '../config/environment-config';
import { secretExpiry } from '../constructs/app-data';
import { OVERLAY_NETWORK } from '../constructs/aks-cluster';
import { all, only, synthEnvironment } from './synth-helpers';

const [dev, prod] = environments({ ADMIN_CIDRS: '148.252.158.53/32' });
const platform = (c: EnvironmentConfig) => synthEnvironment(c).platform;
const P = platform(prod!);
const cluster = only(P.resource, 'azurerm_kubernetes_cluster') as Record<string, any>;

test('snapshot: platform stack (dev)', () => {
  expect(platform(dev!)).toMatchSnapshot();
});

test('snapshot: platform stack (prod)', () => {
  expect(P).toMatchSnapshot();
});

describe('AKS', () => {
  test('has the seed\'s name, DNS prefix and region, and a supported Kubernetes version', () => {
    expect(cluster).toMatchObject({ name: 'terraform-aks-cluster', dns_prefix: 'myaks-project', location: 'uksouth', kubernetes_version: '1.33' });
  });

  test('uses managed identities only: a user-assigned control plane identity with Network Contributor on the VNet, no service principal', () => {
    expect(cluster.identity.type).toBe('UserAssigned');
    expect(cluster.service_principal).toBeUndefined();
    const role = all(P.resource, 'azurerm_role_assignment').find((r) => r.role_definition_name === 'Network Contributor')!;
    expect(String(role.scope)).toContain('terraform_remote_state');
    expect(cluster.depends_on).toEqual([expect.stringContaining('control-plane-network-contributor')]);
  });

  test('keeps a system pool for critical add-ons and an autoscaling user pool in worker-node-subnet across zones', () => {
    expect(cluster.default_node_pool).toMatchObject({ name: 'system', only_critical_addons_enabled: true, auto_scaling_enabled: true, zones: ['1', '2', '3'] });
    const user = only(P.resource, 'azurerm_kubernetes_cluster_node_pool');
    expect(user).toMatchObject({ name: 'user', mode: 'User', auto_scaling_enabled: true, min_count: 2, max_count: 10, zones: ['1', '2', '3'] });
    for (const subnet of [cluster.default_node_pool.vnet_subnet_id, user.vnet_subnet_id]) expect(subnet).toMatch(/worker-node-subnet/);
  });

  test('uses Azure CNI overlay with network policy, pod and service ranges outside the VNet', () => {
    expect(cluster.network_profile).toMatchObject({ network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'cilium', pod_cidr: OVERLAY_NETWORK.podCidr, service_cidr: OVERLAY_NETWORK.serviceCidr });
  });

  test('has the OIDC issuer, workload identity and the Key Vault secrets provider with rotation', () => {
    expect(cluster).toMatchObject({ oidc_issuer_enabled: true, workload_identity_enabled: true, key_vault_secrets_provider: { secret_rotation_enabled: true } });
  });

  test('sends Container Insights to the Log Analytics workspace with managed-identity auth', () => {
    expect(cluster.oms_agent).toEqual({ log_analytics_workspace_id: expect.stringContaining('azurerm_log_analytics_workspace'), msi_auth_for_monitoring_enabled: true });
    expect(only(P.resource, 'azurerm_log_analytics_workspace')).toMatchObject({ retention_in_days: 90, local_authentication_enabled: false });
  });

  test('uses Entra ID with Azure RBAC, local accounts disabled, API server limited to the admin CIDRs', () => {
    expect(cluster).toMatchObject({ local_account_disabled: true, role_based_access_control_enabled: true, azure_active_directory_role_based_access_control: { azure_rbac_enabled: true } });
    expect(cluster.api_server_access_profile.authorized_ip_ranges).toEqual(['148.252.158.53/32']);
  });

  test('upgrades automatically in maintenance windows, Standard tier, at least 50 pods per node', () => {
    expect(cluster).toMatchObject({ automatic_upgrade_channel: 'patch', node_os_upgrade_channel: 'NodeImage', sku_tier: 'Standard' });
    expect(cluster.maintenance_window_auto_upgrade).toMatchObject({ frequency: 'Weekly', day_of_week: 'Sunday' });
    expect(cluster.maintenance_window_node_os).toMatchObject({ frequency: 'Weekly' });
    expect(cluster.default_node_pool.max_pods).toBeGreaterThanOrEqual(50);
    expect(only(P.resource, 'azurerm_kubernetes_cluster_node_pool').max_pods).toBeGreaterThanOrEqual(50);
  });

  test('outputs as the seed: kube config (sensitive), cluster name and id; plus what the manifests need', () => {
    expect(P.output.kube_config).toMatchObject({ sensitive: true });
    expect(Object.keys(P.output).sort()).toEqual(['aks_cluster_id', 'aks_cluster_name', 'app_identity_client_id', 'key_vault_url', 'kube_config', 'log_analytics_workspace_id']);
  });
});

describe('app identity and Key Vault', () => {
  test('the app identity is federated with the app\'s ServiceAccount, names from the app contract', () => {
    const fic = only(P.resource, 'azurerm_federated_identity_credential');
    expect(fic.subject).toBe(`system:serviceaccount:${AppContract.kubernetes.namespace}:${AppContract.kubernetes.serviceAccount}`);
    expect(fic.audience).toEqual(['api://AzureADTokenExchange']);
    expect(fic.issuer).toMatch(/azurerm_kubernetes_cluster\..*\.oidc_issuer_url/);
  });

  test('the app identity has Key Vault Secrets User on the vault, nothing more', () => {
    const onVault = all(P.resource, 'azurerm_role_assignment').filter((r) => String(r.principal_id).includes('app-identity'));
    expect(onVault).toHaveLength(1);
    expect(onVault[0]).toMatchObject({ role_definition_name: 'Key Vault Secrets User', scope: expect.stringContaining('azurerm_key_vault.') });
  });

  test('Key Vault uses RBAC, soft delete and purge protection, and denies by default but the cluster subnets', () => {
    const kv = only(P.resource, 'azurerm_key_vault') as Record<string, any>;
    expect(kv).toMatchObject({ rbac_authorization_enabled: true, purge_protection_enabled: true, soft_delete_retention_days: 90 });
    expect(kv.network_acls).toMatchObject({ default_action: 'Deny', bypass: 'AzureServices', ip_rules: ['148.252.158.53/32'] });
    expect(kv.network_acls.virtual_network_subnet_ids.join(' ')).toMatch(/worker-node-subnet.*control-plane-subnet/);
  });

  test('holds the database server and name (Entra login: no user or password) and the generated session key, with content types and expiry', () => {
    const secrets = all(P.resource, 'azurerm_key_vault_secret');
    expect(secrets.map((s) => s.name).sort()).toEqual([AppContract.secretNames.database, AppContract.secretNames.server, AppContract.secretNames.sessionKey].sort());
    for (const s of secrets) {
      expect(s.content_type).toMatch(/^text\/plain/);
      expect(s.expiration_date).toBe(secretExpiry(new Date('2026-06-15T12:00:00Z'), 365));
    }
    expect(only(P.resource, 'random_password')).toMatchObject({ length: 64, special: false });
    expect(secrets.find((s) => s.name === AppContract.secretNames.sessionKey)!.value).toMatch(/^\$\{random_password\..*session-signing-key.*\.result\}$/);
  });

  test('the application routing add-on (managed NGINX) is on and may read the ingress certificate from the vault', () => {
    expect(cluster.web_app_routing).toEqual({ dns_zone_ids: [], default_nginx_controller: 'External' });
    const role = all(P.resource, 'azurerm_role_assignment').find((r) => String(r.principal_id).includes('web_app_routing'))!;
    expect(role).toMatchObject({ role_definition_name: 'Key Vault Secrets User', principal_type: 'ServicePrincipal' });
    expect(String(role.principal_id)).toMatch(/web_app_routing\[0\]\.web_app_routing_identity\[0\]\.object_id/);
    expect(String(role.scope)).toMatch(/azurerm_key_vault\./);
  });

  test('password login adds a generated password and the user, never a literal', () => {
    const withPassword = validateEnvironment({ ...prod!, data: { ...prod!.data, sqlAuth: 'password' } });
    const p = platform(withPassword);
    const secrets = all(p.resource, 'azurerm_key_vault_secret');
    const { oidcClientSecret: _setByOperator, ...generated } = AppContract.secretNames;
    expect(secrets.map((s) => s.name).sort()).toEqual(Object.values(generated).sort());
    const password = secrets.find((s) => s.name === AppContract.secretNames.password)!;
    expect(password.value).toMatch(/^\$\{random_password\..*\.result\}$/);
    expect(all(p.resource, 'random_password').find((r) => r.length === 32)).toMatchObject({ special: true });
    expect(only(p.resource, 'azurerm_mssql_server').administrator_login_password).toMatch(/^\$\{random_password\./);
  });

  test('secret expiry is stable within a month and renewed by a later deploy', () => {
    expect(secretExpiry(new Date('2026-06-01T00:00:00Z'), 365)).toBe(secretExpiry(new Date('2026-06-30T23:59:59Z'), 365));
    expect(secretExpiry(new Date('2026-07-02T00:00:00Z'), 365)).not.toBe(secretExpiry(new Date('2026-06-30T00:00:00Z'), 365));
  });
});

describe('Azure SQL', () => {
  const server = only(P.resource, 'azurerm_mssql_server') as Record<string, any>;

  test('sets TLS 1.2 explicitly, Entra administrator and Entra-only login, no public network access', () => {
    expect(server).toMatchObject({ minimum_tls_version: '1.2', public_network_access_enabled: false });
    expect(server.azuread_administrator).toMatchObject({ azuread_authentication_only: true, object_id: expect.stringContaining('data.azurerm_client_config') });
    expect(server.administrator_login).toBeUndefined();
    expect(server.administrator_login_password).toBeUndefined();
  });

  test('has a database for the orders table and a private endpoint in the VNet with private DNS', () => {
    expect(only(P.resource, 'azurerm_mssql_database')).toMatchObject({ name: AppContract.database.defaultDatabaseName });
    const pe = only(P.resource, 'azurerm_private_endpoint') as Record<string, any>;
    expect(pe.subnet_id).toMatch(/private-endpoint-subnet/);
    expect(pe.private_service_connection).toMatchObject({ subresource_names: ['sqlServer'], is_manual_connection: false });
    expect(only(P.resource, 'azurerm_private_dns_zone').name).toBe('privatelink.database.windows.net');
  });

  test('audits to Log Analytics and keeps audit records at least 90 days', () => {
    expect(only(P.resource, 'azurerm_mssql_server_extended_auditing_policy')).toMatchObject({ log_monitoring_enabled: true, retention_in_days: 90 });
    const diag = only(P.resource, 'azurerm_monitor_diagnostic_setting') as Record<string, any>;
    expect(diag.target_resource_id).toMatch(/\/databases\/master$/);
    expect(diag.enabled_log).toEqual([{ category: 'SQLSecurityAuditEvents' }]);
    expect(only(P.resource, 'azurerm_log_analytics_workspace').retention_in_days).toBeGreaterThanOrEqual(90);
  });
});

test('no secret, key or password literal anywhere in the synthesized stacks', () => {
  const text = JSON.stringify(synthEnvironment(prod!));
  expect(text).not.toMatch(/client_secret/);
  expect(text).not.toMatch(/"(administrator_login_password|value)":"(?!\$\{)[^"]*"/);
});

describe('invalid platform configuration fails synth with a message naming the setting', () => {
  const withCluster = (c: Partial<EnvironmentConfig['cluster']>): EnvironmentConfig => ({ ...prod!, cluster: { ...prod!.cluster, ...c } });
  test.each([
    ['prod.cluster.kubernetesVersion = "1.26.6": is no longer supported by AKS', withCluster({ kubernetesVersion: '1.26.6' })],
    ['prod.cluster.kubernetesVersion = "latest": must be a Kubernetes version', withCluster({ kubernetesVersion: 'latest' })],
    ['prod.cluster.userPool.maxPods = 30: must be from 50 to 250', withCluster({ userPool: { ...prod!.cluster.userPool, maxPods: 30 } })],
    ['prod.cluster.userPool.maxCount = 2: must be a whole number of at least minCount (5)', withCluster({ userPool: { ...prod!.cluster.userPool, minCount: 5, maxCount: 2 } })],
    ['prod.cluster.zones = ["4"]', withCluster({ zones: ['4'] })],
    ['prod.cluster.adminGroupObjectIds[0] = "admins": must be an Entra object id', withCluster({ adminGroupObjectIds: ['admins'] })],
    ['prod.monitoring.retentionDays = 7: must be a whole number of days from 30 to 730', { ...prod!, monitoring: { ...prod!.monitoring, retentionDays: 7 } }],
    ['prod.monitoring.alertEmails[0] = "devops-at-example": must be an e-mail address', { ...prod!, monitoring: { ...prod!.monitoring, alertEmails: ['devops-at-example'] } }],
    ['prod.monitoring.alertEmails = []: must name at least one e-mail address', { ...prod!, monitoring: { ...prod!.monitoring, alertEmails: [] } }],
    ['prod.data.keyVaultName = "kv_with_underscores"', { ...prod!, data: { ...prod!.data, keyVaultName: 'kv_with_underscores' } }],
    ['prod.data.auditRetentionDays = 30: must be at least 90 days', { ...prod!, data: { ...prod!.data, auditRetentionDays: 30 } }],
  ])('%s', (message, config) => {
    expect(() => validateEnvironment(config)).toThrow(InfraConfigError);
    expect(() => validateEnvironment(config)).toThrow(message);
  });
});
