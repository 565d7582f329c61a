import type { EnvironmentSpec } from './environment-spec';

/** Development: small, cheap, reached only inside the cluster (`kubectl port-forward`). */
export const dev: EnvironmentSpec = {
  name: 'dev',
  location: 'uksouth',
  networking: { resourceGroupName: 'networking-rg-dev', vnetAddressSpace: ['10.10.0.0/16'] },
  cluster: {
    name: 'terraform-aks-cluster-dev',
    dnsPrefix: 'myaks-project-dev',
    systemPool: { minCount: 1, maxCount: 3 },
    userPool: { minCount: 1, maxCount: 3 },
  },
  // A daily cap keeps a noisy test from running up the bill.
  monitoring: { dailyQuotaGb: 1, monthlyBudget: 600, alertEmails: ['devops@example.com'] },
  // A deleted vault (after `npm run down`) keeps its name for a week, not three months.
  data: { databaseSku: 'Basic', keyVault: { purgeProtection: true, softDeleteRetentionDays: 7 } },
  exposure: { mode: 'clusterip' },
  workload: {
    replicas: 2,
    maxReplicas: 4,
    resources: {
      cpuRequestMillis: 100,
      cpuLimitMillis: 500,
      memoryRequestMiB: 160,
      memoryLimitMiB: 256,
      ephemeralStorageRequestMiB: 64,
      ephemeralStorageLimitMiB: 256,
    },
  },
};
