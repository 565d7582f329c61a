import type { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import type { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import type { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MssqlFirewallRule } from '@cdktf/provider-azurerm/lib/mssql-firewall-rule';
import { MssqlDatabase } from '@cdktf/provider-azurerm/lib/mssql-database';
import { MssqlServer } from '@cdktf/provider-azurerm/lib/mssql-server';
import { MssqlServerExtendedAuditingPolicy } from '@cdktf/provider-azurerm/lib/mssql-server-extended-auditing-policy';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import type { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Password } from '@cdktf/provider-random/lib/password';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { AppContract } from '../../app/src/app-contract';
import { SETUP_WINDOW_RULE_NAME, type AccessConfig, type DataConfig } from '../../platform/environment-config';

export interface AppDataProps {
  /** Names, SKU, login mode and retention of the vault and the database. */
  readonly config: DataConfig;
  /** Environment name: the app identity's name carries it (one tenant, several environments). */
  readonly environment: string;
  /** Azure region. */
  readonly location: string;
  /** Resource group of every resource here. */
  readonly resourceGroup: Pick<ResourceGroup, 'name'>;
  /** The Entra tenant of the vault and the SQL administrator. */
  readonly tenantId: string;
  /** The administrators' group (SQL Entra administrator, vault officers) and the pipeline's principal (writes the secrets). */
  readonly access: AccessConfig;
  /** The cluster whose OIDC issuer the app identity's federated credential trusts. */
  readonly cluster: Pick<KubernetesCluster, 'oidcIssuerUrl'>;
  /** The VNet the private DNS zones are linked to. */
  readonly vnet: VirtualNetwork;
  /** Where the private endpoints of the vault and the SQL server live. */
  readonly privateEndpointSubnet: Subnet;
  /** Where SQL audit records go. */
  readonly logAnalyticsWorkspace: LogAnalyticsWorkspace;
  /** When the secrets expire, ISO 8601 (see `secretExpiry`). */
  readonly secretExpiry: string;
  /**
   * Where the app sends its traces (an Application Insights connection string, usually a
   * token), written as the vault's `appinsights-connection-string` secret.
   * @default none: no such secret, and the app sends no traces
   */
  readonly appInsightsConnectionString?: string;
}

/**
 * The app's user-assigned identity in an environment; also its database user name (see
 * grant-app-sql-access). One name per environment: Entra looks principals up by display
 * name, and two identities of one name in a tenant make that ambiguous.
 */
export const appIdentityName = (environment: string): string => `${AppContract.appName}-identity-${environment}`;

/** Built-in Key Vault data-plane roles used here. */
export const KEY_VAULT_ROLES = {
  secretsUser: 'Key Vault Secrets User',
  secretsOfficer: 'Key Vault Secrets Officer',
  certificatesOfficer: 'Key Vault Certificates Officer',
} as const;

/**
 * How long the first apply waits after granting the deployer the vault's data-plane role
 * before writing secrets: Azure RBAC takes minutes to propagate, and a write before that
 * answers 403 (Azure Verified Modules wait the same way, with time_sleep).
 */
export const RBAC_PROPAGATION_WAIT = '120s';

/**
 * An expiry date that is stable within a month, so repeated plans do not show a change and
 * a monthly deploy renews it: the first day of this month plus `days`.
 */
export function secretExpiry(now: Date, days: number): string {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return new Date(start + days * 86_400_000).toISOString().replace('.000Z', 'Z');
}

/**
 * What the app needs besides the cluster: its user-assigned identity (federated with the
 * app's Kubernetes ServiceAccount), Key Vault with the database settings (and the traces'
 * destination), and Azure SQL with Entra-only login and auditing, both reached only through
 * private endpoints.
 */
export class AppData extends Construct {
  public readonly appIdentity: UserAssignedIdentity;
  public readonly keyVault: KeyVault;
  public readonly sqlServer: MssqlServer;
  public readonly database: MssqlDatabase;
  public readonly privateEndpoint: PrivateEndpoint;
  public readonly keyVaultPrivateEndpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: AppDataProps) {
    super(scope, id);
    const { config, location } = props;
    const resourceGroupName = props.resourceGroup.name;
    const k8s = AppContract.kubernetes;

    this.appIdentity = new UserAssignedIdentity(this, 'app-identity', { name: appIdentityName(props.environment), location, resourceGroupName });
    new FederatedIdentityCredential(this, 'app-federated-credential', {
      name: `${k8s.namespace}-${k8s.serviceAccount}`,
      resourceGroupName,
      parentId: this.appIdentity.id,
      issuer: props.cluster.oidcIssuerUrl,
      subject: `system:serviceaccount:${k8s.namespace}:${k8s.serviceAccount}`,
      audience: ['api://AzureADTokenExchange'],
    });

    // A private endpoint in the private-endpoint subnet, with the service's privatelink zone
    // linked to the VNet, so its public name resolves to the private address from inside.
    const privateAccess = (prefix: string, target: string, name: string, subresource: string, zoneName: string, zoneGroup: string) => {
      const zone = new PrivateDnsZone(this, `${prefix}-private-dns`, { name: zoneName, resourceGroupName });
      const link = new PrivateDnsZoneVirtualNetworkLink(this, `${prefix}-private-dns-link`, {
        name: `${prefix}-private-dns-link`,
        resourceGroupName,
        privateDnsZoneName: zone.name,
        virtualNetworkId: props.vnet.id,
        registrationEnabled: false,
      });
      const endpoint = new PrivateEndpoint(this, `${prefix}-private-endpoint`, {
        name: `${name}-pe`,
        location,
        resourceGroupName,
        subnetId: props.privateEndpointSubnet.id,
        privateServiceConnection: {
          name: `${name}-psc`,
          isManualConnection: false,
          privateConnectionResourceId: target,
          subresourceNames: [subresource],
        },
        privateDnsZoneGroup: { name: zoneGroup, privateDnsZoneIds: [zone.id] },
      });
      return { endpoint, link };
    };

    // --- Azure SQL -----------------------------------------------------------------
    const password =
      config.sqlAuth === 'password'
        ? new Password(this, 'sql-admin-password', { length: 32, special: true, minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 })
        : undefined;
    const sqlLogin = 'order_app';
    // The setup window (`npm run up -- --setup-access`, never the pipeline): one address may
    // reach the vault and the SQL server over their public endpoints while `up` writes the
    // secrets and the app's database user from outside the VNet; `up` closes it at once.
    const setupAddress = props.access.setupAccessCidr?.replace(/\/32$/, '');
    this.sqlServer = new MssqlServer(this, 'sql-server', {
      name: config.sqlServerName,
      resourceGroupName,
      location,
      version: '12.0',
      minimumTlsVersion: '1.2',
      publicNetworkAccessEnabled: setupAddress !== undefined,
      // A configured group, so whoever runs the next deploy does not become the administrator.
      azureadAdministrator: {
        loginUsername: props.access.sqlAdminGroup.displayName,
        objectId: props.access.sqlAdminGroup.objectId,
        tenantId: props.tenantId,
        azureadAuthenticationOnly: config.sqlAuth === 'entra',
      },
      ...(password ? { administratorLogin: sqlLogin, administratorLoginPassword: password.result } : {}),
      identity: { type: 'SystemAssigned' },
    });
    this.database = new MssqlDatabase(this, 'database', {
      name: config.databaseName,
      serverId: this.sqlServer.id,
      skuName: config.databaseSku,
      collation: 'SQL_Latin1_General_CP1_CI_AS',
      shortTermRetentionPolicy: { retentionDays: 7 },
    });
    if (setupAddress)
      new MssqlFirewallRule(this, 'sql-setup-window', {
        name: SETUP_WINDOW_RULE_NAME,
        serverId: this.sqlServer.id,
        startIpAddress: setupAddress,
        endIpAddress: setupAddress,
      });
    this.privateEndpoint = privateAccess(
      'sql',
      this.sqlServer.id,
      config.sqlServerName,
      'sqlServer',
      'privatelink.database.windows.net',
      'sql',
    ).endpoint;
    // Audit to Log Analytics; the workspace keeps it for its retention (at least 90 days).
    const audit = new MssqlServerExtendedAuditingPolicy(this, 'sql-auditing', {
      serverId: this.sqlServer.id,
      logMonitoringEnabled: true,
      retentionInDays: config.auditRetentionDays,
    });
    new MonitorDiagnosticSetting(this, 'sql-audit-logs', {
      name: 'sql-audit-to-log-analytics',
      targetResourceId: `${this.sqlServer.id}/databases/master`,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspace.id,
      enabledLog: [{ category: 'SQLSecurityAuditEvents' }],
      dependsOn: [audit],
    });

    // --- Key Vault -------------------------------------------------------------------
    // Reached only through its private endpoint: the pods, the add-ons and the deploy agents
    // are all in the VNet, so nothing needs the public endpoint (but the setup window above).
    this.keyVault = new KeyVault(this, 'key-vault', {
      name: config.keyVaultName,
      location,
      resourceGroupName,
      tenantId: props.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: config.keyVaultPurgeProtection,
      softDeleteRetentionDays: config.keyVaultSoftDeleteRetentionDays,
      publicNetworkAccessEnabled: setupAddress !== undefined,
      // A bare address: Azure stores a /32 rule as the address, and a "/32" here would show as a change in every plan.
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ...(setupAddress ? { ipRules: [setupAddress] } : {}) },
    });
    const vaultAccess = privateAccess('key-vault', this.keyVault.id, config.keyVaultName, 'vault', 'privatelink.vaultcore.azure.net', 'vault');
    this.keyVaultPrivateEndpoint = vaultAccess.endpoint;

    const role = (id: string, roleDefinitionName: string, principalId: string, principalType: 'ServicePrincipal' | 'Group'): RoleAssignment =>
      new RoleAssignment(this, id, { scope: this.keyVault.id, roleDefinitionName, principalId, principalType });
    role('app-secrets-user', KEY_VAULT_ROLES.secretsUser, this.appIdentity.principalId, 'ServicePrincipal');
    const deployerWrites = role('deployer-secrets-officer', KEY_VAULT_ROLES.secretsOfficer, props.access.deployerObjectId, 'ServicePrincipal');
    // The administrators upload the ingress certificate and the OIDC client secret, and may run
    // the platform apply by hand (from inside the VNet) instead of the pipeline.
    const adminWrites = role('admins-secrets-officer', KEY_VAULT_ROLES.secretsOfficer, props.access.adminGroup.objectId, 'Group');
    role('admins-certificates-officer', KEY_VAULT_ROLES.certificatesOfficer, props.access.adminGroup.objectId, 'Group');
    // The first write waits for the role to propagate and for the private endpoint, its DNS
    // record and the zone's link to the VNet; a new role assignment makes it wait again.
    const writable = new Sleep(this, 'key-vault-rbac-propagation', {
      createDuration: RBAC_PROPAGATION_WAIT,
      triggers: { role_assignment: deployerWrites.id },
      dependsOn: [deployerWrites, adminWrites, this.keyVaultPrivateEndpoint, vaultAccess.link],
    });
    const secret = (name: string, value: string, contentType: string): KeyVaultSecret =>
      new KeyVaultSecret(this, `secret-${name}`, {
        name,
        value,
        contentType,
        keyVaultId: this.keyVault.id,
        expirationDate: props.secretExpiry,
        dependsOn: [writable],
      });
    const names = AppContract.secretNames;
    secret(names.server, this.sqlServer.fullyQualifiedDomainName, 'text/plain; sql-server-fqdn');
    secret(names.database, this.database.name, 'text/plain; sql-database-name');
    if (password) {
      secret(names.user, sqlLogin, 'text/plain; sql-login');
      secret(names.password, password.result, 'password');
    }
    // Signs the app's session cookies when sign-in is on; generated, never written anywhere else.
    const sessionKey = new Password(this, 'session-signing-key', { length: 64, special: false });
    secret(names.sessionKey, sessionKey.result, 'text/plain; hmac-key');
    if (props.appInsightsConnectionString !== undefined) {
      secret(names.appInsightsConnectionString, props.appInsightsConnectionString, 'text/plain; appinsights-connection-string');
    }
  }
}
