import path from 'node:path';
import { AppContract } from '../../app/src/app-contract';
import { environments, OVERLAY_NETWORK, validateEnvironment, type EnvironmentConfig } from '../../platform/environment-config';
import { KEY_VAULT_ROLES, RBAC_PROPAGATION_WAIT, secretExpiry } from '../constructs/app-data';
import { SYSTEM_POOL_ROTATION_NAME } from '../constructs/aks-cluster';
import {
  AKS_ROLES,
  NAMESPACE_WRITER_DATA_ACTIONS,
  CUSTOM_RESOURCE_WRITER_DATA_ACTIONS,
  CUSTOM_RESOURCE_WRITER_NOT_DATA_ACTIONS,
} from '../constructs/cluster-access';
import { all, only, synthEnvironment } from '../../test-helpers/synth-helpers';

const ADMINS = '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f';
const SQL_ADMINS = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const DEPLOYER = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';
const [dev, prod] = environments({
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: ADMINS,
  ADMIN_GROUP_NAME: 'Order Platform Admins',
  SQL_ADMIN_GROUP_OBJECT_ID: SQL_ADMINS,
  SQL_ADMIN_GROUP_NAME: 'Order Platform SQL Admins',
  DEPLOYER_OBJECT_ID: DEPLOYER,
});
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
  test("has the seed's name, DNS prefix and region, and a supported Kubernetes version", () => {
    expect(cluster).toMatchObject({ name: 'terraform-aks-cluster', dns_prefix: 'myaks-project', location: 'uksouth', kubernetes_version: '1.36' });
  });

  test('uses managed identities only: a user-assigned control plane identity with Network Contributor on the VNet, no service principal', () => {
    expect(cluster.identity.type).toBe('UserAssigned');
    expect(cluster.service_principal).toBeUndefined();
    const role = all(P.resource, 'azurerm_role_assignment').find((r) => r.role_definition_name === 'Network Contributor')!;
    expect(String(role.scope)).toContain('terraform_remote_state');
    expect(cluster.depends_on).toEqual([expect.stringContaining('control-plane-network-contributor')]);
  });

  test('keeps a system pool for critical add-ons and an autoscaling user pool in worker-node-subnet across zones', () => {
    expect(cluster.default_node_pool).toMatchObject({
      name: 'system',
      only_critical_addons_enabled: true,
      auto_scaling_enabled: true,
      zones: ['1', '2', '3'],
    });
    const user = only(P.resource, 'azurerm_kubernetes_cluster_node_pool');
    expect(user).toMatchObject({ name: 'user', mode: 'User', auto_scaling_enabled: true, min_count: 2, max_count: 10, zones: ['1', '2', '3'] });
    for (const subnet of [cluster.default_node_pool.vnet_subnet_id, user.vnet_subnet_id]) expect(subnet).toMatch(/worker-node-subnet/);
  });

  test('uses Azure CNI overlay with network policy, pod and service ranges outside the VNet', () => {
    expect(cluster.network_profile).toMatchObject({
      network_plugin: 'azure',
      network_plugin_mode: 'overlay',
      network_policy: 'cilium',
      pod_cidr: OVERLAY_NETWORK.podCidr,
      service_cidr: OVERLAY_NETWORK.serviceCidr,
    });
  });

  test('has the OIDC issuer, workload identity and the Key Vault secrets provider with rotation', () => {
    expect(cluster).toMatchObject({
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      key_vault_secrets_provider: { secret_rotation_enabled: true },
    });
  });

  test('sends Container Insights to the Log Analytics workspace with managed-identity auth', () => {
    expect(cluster.oms_agent).toEqual({
      log_analytics_workspace_id: expect.stringContaining('azurerm_log_analytics_workspace'),
      msi_auth_for_monitoring_enabled: true,
    });
    expect(only(P.resource, 'azurerm_log_analytics_workspace')).toMatchObject({ retention_in_days: 90, local_authentication_enabled: false });
  });

  test("uses Entra ID with Azure RBAC, local accounts disabled, API server limited to the admin CIDRs and the deploy agents' NAT address", () => {
    expect(cluster).toMatchObject({
      local_account_disabled: true,
      role_based_access_control_enabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true, admin_group_object_ids: [ADMINS] },
    });
    expect(cluster.api_server_access_profile.authorized_ip_ranges).toEqual([
      '148.252.158.53/32',
      expect.stringMatching(/^\$\{data\.terraform_remote_state\..*deploy-agent-egress-ip.*\}\/32$/),
    ]);
  });

  test('a change to the system pool that needs it rebuilt rotates through a temporary pool instead of failing', () => {
    expect(cluster.default_node_pool.temporary_name_for_rotation).toBe(SYSTEM_POOL_ROTATION_NAME);
    expect(SYSTEM_POOL_ROTATION_NAME).toMatch(/^[a-z][a-z0-9]{0,11}$/);
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
    expect(Object.keys(P.output).sort()).toEqual([
      'aks_cluster_id',
      'aks_cluster_name',
      'app_identity_client_id',
      'app_identity_name',
      'app_identity_principal_id',
      'app_insights_id',
      'key_vault_url',
      'kube_config',
      'log_analytics_workspace_id',
      'workbook_id',
    ]);
  });
});

describe('app identity and Key Vault', () => {
  test("the app identity is federated with the app's ServiceAccount, names from the app contract", () => {
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

  test('Key Vault uses RBAC, soft delete and purge protection, and is reached only through a private endpoint with its DNS zone', () => {
    const kv = only(P.resource, 'azurerm_key_vault') as Record<string, any>;
    expect(kv).toMatchObject({
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
    });
    expect(kv.network_acls).toEqual({ default_action: 'Deny', bypass: 'AzureServices' });
    const pe = all(P.resource, 'azurerm_private_endpoint').find(
      (e) => (e.private_service_connection as any).subresource_names[0] === 'vault',
    ) as Record<string, any>;
    expect(pe.subnet_id).toMatch(/private-endpoint-subnet/);
    expect(pe.private_service_connection.private_connection_resource_id).toMatch(/azurerm_key_vault\./);
    const zone = all(P.resource, 'azurerm_private_dns_zone').find((z) => z.name === 'privatelink.vaultcore.azure.net')!;
    expect(zone).toBeDefined();
    expect(all(P.resource, 'azurerm_private_dns_zone_virtual_network_link').map((l) => l.private_dns_zone_name)).toContainEqual(
      expect.stringContaining('key-vault-private-dns'),
    );
  });

  test('configured principals, not the last deployer: the pipeline writes secrets, the administrators manage the vault', () => {
    const onVault = all(P.resource, 'azurerm_role_assignment').filter((r) => String(r.scope).includes('azurerm_key_vault.'));
    const grants = onVault.map((r) => [r.principal_id, r.role_definition_name]);
    expect(grants).toEqual(
      expect.arrayContaining([
        [DEPLOYER, KEY_VAULT_ROLES.secretsOfficer],
        [ADMINS, KEY_VAULT_ROLES.secretsOfficer],
        [ADMINS, KEY_VAULT_ROLES.certificatesOfficer],
      ]),
    );
    expect(JSON.stringify(P)).not.toMatch(/data\.azurerm_client_config\.[^.]+\.object_id/);
  });

  test("secrets are written only after the deployer's role has had time to propagate and the private endpoint exists", () => {
    const sleep = only(P.resource, 'time_sleep') as Record<string, any>;
    expect(sleep.create_duration).toBe(RBAC_PROPAGATION_WAIT);
    expect(sleep.depends_on).toEqual(
      expect.arrayContaining([expect.stringContaining('deployer-secrets-officer'), expect.stringContaining('key-vault-private-endpoint')]),
    );
    for (const secret of all(P.resource, 'azurerm_key_vault_secret')) expect(secret.depends_on).toEqual([expect.stringMatching(/^time_sleep\./)]);
  });

  test('holds the database server and name (Entra login: no user or password), session key and traces destination, content types, expiry', () => {
    const secrets = all(P.resource, 'azurerm_key_vault_secret');
    const names = AppContract.secretNames;
    expect(secrets.map((s) => s.name).sort()).toEqual([names.database, names.server, names.sessionKey, names.appInsightsConnectionString].sort());
    for (const s of secrets) {
      expect(s.content_type).toMatch(/^text\/plain/);
      expect(s.expiration_date).toBe(secretExpiry(new Date('2026-06-15T12:00:00Z'), 365));
    }
    expect(only(P.resource, 'random_password')).toMatchObject({ length: 64, special: false });
    expect(secrets.find((s) => s.name === AppContract.secretNames.sessionKey)!.value).toMatch(
      /^\$\{random_password\..*session-signing-key.*\.result\}$/,
    );
  });

  test("Application Insights is workspace-based on the environment's workspace; its connection string is the secret the app reads", () => {
    const appInsights = only(P.resource, 'azurerm_application_insights') as Record<string, any>;
    expect(appInsights).toMatchObject({ name: 'terraform-aks-cluster-appinsights', application_type: 'Node.JS', location: 'uksouth' });
    expect(all(P.resource, 'azurerm_log_analytics_workspace')).toHaveLength(1);
    expect(appInsights.workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\.[\w-]+\.id\}$/);
    const secret = all(P.resource, 'azurerm_key_vault_secret').find((s) => s.name === AppContract.secretNames.appInsightsConnectionString)!;
    expect(secret.value).toMatch(/^\$\{azurerm_application_insights\.[\w-]+\.connection_string\}$/);
    expect(secret.key_vault_id).toMatch(/^\$\{azurerm_key_vault\./);
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

describe('who may do what in the cluster', () => {
  const roles = all(P.resource, 'azurerm_role_assignment');
  test("the administrators' group is cluster-admin (Azure RBAC and the AKS admin group) and may fetch the user kubeconfig", () => {
    const admins = roles.filter((r) => r.principal_id === ADMINS && String(r.scope).match(/^\$\{azurerm_kubernetes_cluster\.[^.]+\.id\}$/));
    expect(admins.map((r) => r.role_definition_name).sort()).toEqual([AKS_ROLES.clusterUser, AKS_ROLES.clusterAdmin].sort());
  });

  test("the deployer writes only inside the app's namespace, and may create that namespace through a custom role", () => {
    const writer = roles.find((r) => r.principal_id === DEPLOYER && r.role_definition_name === AKS_ROLES.writer)!;
    expect(writer.scope).toMatch(new RegExp(`^\\$\\{azurerm_kubernetes_cluster\\.[^.]+\\.id\\}/namespaces/${AppContract.kubernetes.namespace}$`));
    const definitions = all(P.resource, 'azurerm_role_definition') as Record<string, any>[];
    const definition = definitions.find((d) => d.name.includes('namespace-writer'))!;
    expect(definition.permissions).toEqual([{ actions: [], data_actions: [...NAMESPACE_WRITER_DATA_ACTIONS] }]);
    // Custom role names are unique per tenant: the vault's globally unique name keeps two copies apart.
    expect(definition.name).toBe(`order-platform-namespace-writer-${prod!.data.keyVaultName}`);
    const custom = roles.filter((r) => r.principal_id === DEPLOYER && String(r.role_definition_id).includes('azurerm_role_definition'));
    const creator = custom.find((r) => String(r.role_definition_id).includes('namespace-writer'))!;
    expect(creator.scope).toMatch(/^\$\{azurerm_kubernetes_cluster\.[^.]+\.id\}$/);
    expect(roles.filter((r) => r.principal_id === DEPLOYER && r.role_definition_name === AKS_ROLES.clusterAdmin)).toEqual([]);
  });

  test('the deployer applies custom resources (the PodMonitor) in its namespace only, never Kubernetes RBAC objects', () => {
    const definition = (all(P.resource, 'azurerm_role_definition') as Record<string, any>[]).find((d) => d.name.includes('custom-resource-writer'))!;
    expect(definition.name).toBe(`order-platform-custom-resource-writer-${prod!.data.keyVaultName}`);
    expect(definition.permissions).toEqual([
      { actions: [], data_actions: [...CUSTOM_RESOURCE_WRITER_DATA_ACTIONS], not_data_actions: [...CUSTOM_RESOURCE_WRITER_NOT_DATA_ACTIONS] },
    ]);
    expect(definition.permissions[0].not_data_actions).toEqual(['Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/*']);
    const namespaceScope = new RegExp(`^\\$\\{azurerm_kubernetes_cluster\\.[^.]+\\.id\\}/namespaces/${AppContract.kubernetes.namespace}$`);
    expect(definition.assignable_scopes).toEqual([expect.stringMatching(namespaceScope)]);
    const assignment = roles.find((r) => r.principal_id === DEPLOYER && String(r.role_definition_id).includes('custom-resource-writer'))!;
    expect(assignment.scope).toMatch(namespaceScope);
    expect(roles.filter((r) => r.principal_id === DEPLOYER && r.role_definition_name === AKS_ROLES.clusterAdmin)).toEqual([]);
  });
});

describe('Azure SQL', () => {
  const server = only(P.resource, 'azurerm_mssql_server') as Record<string, any>;

  test("sets TLS 1.2 explicitly, the SQL administrators' group as Entra administrator, Entra-only login, no public network access", () => {
    expect(server).toMatchObject({ minimum_tls_version: '1.2', public_network_access_enabled: false });
    expect(server.azuread_administrator).toMatchObject({
      azuread_authentication_only: true,
      object_id: SQL_ADMINS,
      login_username: 'Order Platform SQL Admins',
    });
    expect(server.administrator_login).toBeUndefined();
    expect(server.administrator_login_password).toBeUndefined();
  });

  test('has a database for the orders table and a private endpoint in the VNet with private DNS', () => {
    expect(only(P.resource, 'azurerm_mssql_database')).toMatchObject({ name: AppContract.database.defaultDatabaseName });
    const pe = all(P.resource, 'azurerm_private_endpoint').find(
      (e) => (e.private_service_connection as any).subresource_names[0] === 'sqlServer',
    ) as Record<string, any>;
    expect(pe.subnet_id).toMatch(/private-endpoint-subnet/);
    expect(pe.private_service_connection).toMatchObject({ subresource_names: ['sqlServer'], is_manual_connection: false });
    expect(all(P.resource, 'azurerm_private_dns_zone').map((z) => z.name)).toContain('privatelink.database.windows.net');
  });

  test('audits to Log Analytics and keeps audit records at least 90 days', () => {
    expect(only(P.resource, 'azurerm_mssql_server_extended_auditing_policy')).toMatchObject({ log_monitoring_enabled: true, retention_in_days: 90 });
    const diag = (all(P.resource, 'azurerm_monitor_diagnostic_setting') as Record<string, any>[]).find((d) =>
      /\/databases\/master$/.test(d.target_resource_id),
    )!;
    expect(diag.enabled_log).toEqual([{ category: 'SQLSecurityAuditEvents' }]);
    expect(only(P.resource, 'azurerm_log_analytics_workspace').retention_in_days).toBeGreaterThanOrEqual(90);
  });
});

test('no secret, key or password literal anywhere in the synthesized stacks', () => {
  const text = JSON.stringify(synthEnvironment(prod!));
  expect(text).not.toMatch(/client_secret/);
  expect(text).not.toMatch(/"(administrator_login_password|value)":"(?!\$\{)[^"]*"/);
});

test('with local state, the platform stack reads the network and registry state where those stacks write it, from its own folder', () => {
  const { network, platform, registry } = synthEnvironment(dev!) as any;
  const stacksDir = '/project/cdktf.out/stacks';
  const written = (stack: string, json: any) => path.resolve(stacksDir, stack, json.terraform.backend.local.path);
  const read = (name: string) => path.resolve(stacksDir, 'platform-dev', platform.data.terraform_remote_state[name].config.path);
  expect(read('cross-stack-reference-input-network-dev')).toBe(written('network-dev', network));
  expect(read('cross-stack-reference-input-registry')).toBe(written('registry', registry));
  // In the project root, not in the synth output that a new synth may wipe.
  expect(written('network-dev', network)).toBe('/project/terraform.network-dev.tfstate');
});
