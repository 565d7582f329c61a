import { Construct } from 'constructs';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MssqlDatabase } from '@cdktf/provider-azurerm/lib/mssql-database';
import { MssqlServer } from '@cdktf/provider-azurerm/lib/mssql-server';
import { MssqlServerExtendedAuditingPolicy } from '@cdktf/provider-azurerm/lib/mssql-server-extended-auditing-policy';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Password } from '@cdktf/provider-random/lib/password';
import { AppContract } from '../../app/src/app-contract';
import type { DataConfig } from '../config/environment-config';

export interface AppDataProps {
  readonly config: DataConfig;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly tenantId: string;
  /** The deploying principal: SQL Entra administrator and writer of the Key Vault secrets. */
  readonly deployerObjectId: string;
  /** The cluster's OIDC issuer, for the app identity's federated credential. */
  readonly oidcIssuerUrl: string;
  /** Subnets whose traffic Key Vault accepts (service endpoints). */
  readonly allowedSubnetIds: readonly string[];
  /** Addresses that may reach Key Vault from outside the VNet (the deployers). */
  readonly allowedIpCidrs: readonly string[];
  readonly vnetId: string;
  readonly privateEndpointSubnetId: string;
  readonly logAnalyticsWorkspaceId: string;
  /** When the secrets expire, ISO 8601 (see `secretExpiry`). */
  readonly secretExpiry: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The app's user-assigned identity; also its database user name (see grant-app-sql-access). */
export const APP_IDENTITY_NAME = `${AppContract.appName}-identity`;

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
 * app's Kubernetes ServiceAccount), Key Vault with the database settings, and Azure SQL
 * with Entra-only login, a private endpoint and auditing.
 */
export class AppData extends Construct {
  public readonly appIdentity: UserAssignedIdentity;
  public readonly keyVault: KeyVault;
  public readonly sqlServer: MssqlServer;
  public readonly database: MssqlDatabase;
  public readonly privateEndpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: AppDataProps) {
    super(scope, id);
    const { config, location, resourceGroupName } = props;
    const tags = { ...props.tags };
    const k8s = AppContract.kubernetes;

    this.appIdentity = new UserAssignedIdentity(this, 'app-identity', { name: APP_IDENTITY_NAME, location, resourceGroupName, tags });
    new FederatedIdentityCredential(this, 'app-federated-credential', {
      name: `${k8s.namespace}-${k8s.serviceAccount}`,
      resourceGroupName,
      parentId: this.appIdentity.id,
      issuer: props.oidcIssuerUrl,
      subject: `system:serviceaccount:${k8s.namespace}:${k8s.serviceAccount}`,
      audience: ['api://AzureADTokenExchange'],
    });

    // --- Azure SQL -----------------------------------------------------------------
    const password = config.sqlAuth === 'password' ? new Password(this, 'sql-admin-password', { length: 32, special: true, minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 }) : undefined;
    const sqlLogin = 'order_app';
    this.sqlServer = new MssqlServer(this, 'sql-server', {
      name: config.sqlServerName,
      resourceGroupName,
      location,
      version: '12.0',
      minimumTlsVersion: '1.2',
      publicNetworkAccessEnabled: false,
      azureadAdministrator: {
        loginUsername: 'sql-entra-admin',
        objectId: props.deployerObjectId,
        tenantId: props.tenantId,
        azureadAuthenticationOnly: config.sqlAuth === 'entra',
      },
      ...(password ? { administratorLogin: sqlLogin, administratorLoginPassword: password.result } : {}),
      identity: { type: 'SystemAssigned' },
      tags,
    });
    this.database = new MssqlDatabase(this, 'database', {
      name: config.databaseName,
      serverId: this.sqlServer.id,
      skuName: config.databaseSku,
      collation: 'SQL_Latin1_General_CP1_CI_AS',
      shortTermRetentionPolicy: { retentionDays: 7 },
      tags,
    });
    const sqlZone = new PrivateDnsZone(this, 'sql-private-dns', { name: 'privatelink.database.windows.net', resourceGroupName, tags });
    new PrivateDnsZoneVirtualNetworkLink(this, 'sql-private-dns-link', {
      name: 'sql-private-dns-link',
      resourceGroupName,
      privateDnsZoneName: sqlZone.name,
      virtualNetworkId: props.vnetId,
      registrationEnabled: false,
      tags,
    });
    this.privateEndpoint = new PrivateEndpoint(this, 'sql-private-endpoint', {
      name: `${config.sqlServerName}-pe`,
      location,
      resourceGroupName,
      subnetId: props.privateEndpointSubnetId,
      privateServiceConnection: { name: `${config.sqlServerName}-psc`, isManualConnection: false, privateConnectionResourceId: this.sqlServer.id, subresourceNames: ['sqlServer'] },
      privateDnsZoneGroup: { name: 'sql', privateDnsZoneIds: [sqlZone.id] },
      tags,
    });
    // Audit to Log Analytics; the workspace keeps it for its retention (at least 90 days).
    const audit = new MssqlServerExtendedAuditingPolicy(this, 'sql-auditing', { serverId: this.sqlServer.id, logMonitoringEnabled: true, retentionInDays: config.auditRetentionDays });
    new MonitorDiagnosticSetting(this, 'sql-audit-logs', {
      name: 'sql-audit-to-log-analytics',
      targetResourceId: `${this.sqlServer.id}/databases/master`,
      logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId,
      enabledLog: [{ category: 'SQLSecurityAuditEvents' }],
      dependsOn: [audit],
    });

    // --- Key Vault ------------------------------------------------------------------
    this.keyVault = new KeyVault(this, 'key-vault', {
      name: config.keyVaultName,
      location,
      resourceGroupName,
      tenantId: props.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', virtualNetworkSubnetIds: [...props.allowedSubnetIds], ipRules: [...props.allowedIpCidrs] },
      tags,
    });
    new RoleAssignment(this, 'app-secrets-user', {
      scope: this.keyVault.id,
      roleDefinitionName: 'Key Vault Secrets User',
      principalId: this.appIdentity.principalId,
      principalType: 'ServicePrincipal',
    });
    const deployerWrites = new RoleAssignment(this, 'deployer-secrets-officer', {
      scope: this.keyVault.id,
      roleDefinitionName: 'Key Vault Secrets Officer',
      principalId: props.deployerObjectId,
    });
    const secret = (name: string, value: string, contentType: string): KeyVaultSecret =>
      new KeyVaultSecret(this, `secret-${name}`, { name, value, contentType, keyVaultId: this.keyVault.id, expirationDate: props.secretExpiry, dependsOn: [deployerWrites], tags });
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
  }
}
