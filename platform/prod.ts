import type { EnvironmentSpec } from './environment-spec';

/** Production: the seed's names, three system nodes across the zones, reached from the organisation's networks. */
export const prod: EnvironmentSpec = {
  name: 'prod',
  location: 'uksouth',
  networking: { resourceGroupName: 'networking-rg', vnetAddressSpace: ['10.20.0.0/16'] },
  cluster: {
    name: 'terraform-aks-cluster',
    dnsPrefix: 'myaks-project',
    systemPool: { minCount: 3, maxCount: 3 },
    userPool: { minCount: 2, maxCount: 10 },
  },
  // No cap: dropping production logs mid-incident costs more than the ingestion.
  monitoring: { dailyQuotaGb: -1, monthlyBudget: 2500, alertEmails: ['devops@example.com'] },
  data: { databaseSku: 'S0', keyVault: { purgeProtection: true, softDeleteRetentionDays: 90 } },
  exposure: { mode: 'internal' },
  workload: {
    replicas: 3,
    maxReplicas: 10,
    resources: {
      cpuRequestMillis: 250,
      cpuLimitMillis: 1000,
      memoryRequestMiB: 256,
      memoryLimitMiB: 384,
      ephemeralStorageRequestMiB: 64,
      ephemeralStorageLimitMiB: 256,
    },
  },
};
