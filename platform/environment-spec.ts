import { z } from 'zod';
import { parseCidr } from './cidr';

const wholeAtLeast = (min: number) =>
  z.number().int(`must be a whole number of at least ${min}`).min(min, `must be a whole number of at least ${min}`);

const nodePool = z
  .strictObject({
    /** Nodes when idle (the autoscaler's minimum). */
    minCount: wholeAtLeast(1),
    /** The autoscaler's maximum; at least `minCount`. */
    maxCount: wholeAtLeast(1),
  })
  .check((ctx) => {
    if (ctx.value.maxCount < ctx.value.minCount) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value.maxCount,
        path: ['maxCount'],
        message: `must be a whole number of at least minCount (${ctx.value.minCount})`,
      });
    }
  });

const mib = (what: string) => z.number().int(`must be a whole number of MiB (${what})`).positive(`must be a whole number of MiB above 0 (${what})`);
const millis = z.number().int('must be a whole number of millicores').positive('must be a whole number of millicores above 0');

/** The schema of one environment's entry in the platform model (`platform/<env>.ts`). */
export const environmentSpecSchema = z.strictObject({
  /** Lower-case letters and digits, 2-10; stacks are `network-<name>` and `platform-<name>`, variables `..._<NAME>`. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,9}$/, 'must be 2-10 lower-case letters and digits, starting with a letter (it names stacks, Key Vaults and variables)'),
  /** Azure region, e.g. "uksouth". */
  location: z.string().regex(/^[a-z0-9]+$/, 'must be an Azure region name such as uksouth'),
  networking: z.strictObject({
    /** The environment's resource group (network, cluster, data); unique across environments. */
    resourceGroupName: z
      .string()
      .regex(/^[-\w.()]{1,89}[-\w()]$/, 'must be 1-90 letters, digits, dashes, underscores, dots and parentheses, not ending in a dot'),
    /** The VNet's address space when `VNET_ADDRESS_SPACE_<ENV>` is unset; apart from every other environment's. */
    vnetAddressSpace: z
      .array(z.string().refine((v) => parseCidr(v) !== undefined, 'must be an IPv4 CIDR such as 10.10.0.0/16, with no host bits set'))
      .min(1, 'must name at least one CIDR'),
  }),
  cluster: z.strictObject({
    /** The AKS cluster's name; unique across environments. */
    name: z
      .string()
      .regex(
        /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]$/,
        'must be 2-63 letters, digits, dashes and underscores, starting and ending with a letter or digit',
      ),
    dnsPrefix: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$/, 'must be 2-54 letters, digits and dashes, starting and ending with a letter or digit'),
    /** The pool kept for critical add-ons. */
    systemPool: nodePool,
    /** The autoscaling pool the app runs on. */
    userPool: nodePool,
  }),
  monitoring: z.strictObject({
    /** Daily ingestion cap in GB; -1 for none. */
    dailyQuotaGb: z.number().refine((v) => v === -1 || v > 0, 'must be a positive number of GB, or -1 for no cap'),
    /** Monthly cost budget of the environment's resource group, in the billing currency; e-mails at 75% and 95%. */
    monthlyBudget: z.number().int('must be a whole amount').positive('must be a positive amount in the billing currency'),
    /** Who the alerts e-mail when `ALERT_EMAILS` is unset. */
    alertEmails: z
      .array(z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address such as devops@example.com'))
      .min(1, 'must name at least one e-mail address for alerts'),
  }),
  data: z.strictObject({
    /** Azure SQL database SKU, e.g. "Basic", "S0". */
    databaseSku: z.string().regex(/^[A-Za-z0-9_]{1,32}$/, 'must be an Azure SQL SKU name such as Basic or S0'),
    /**
     * What happens to the Key Vault after `npm run down`: it is soft-deleted for
     * `softDeleteRetentionDays` (7-90), its name reserved meanwhile; with purge protection
     * nobody can purge it sooner. Every environment in the model keeps purge protection
     * (CKV_AZURE_110: turning it off is a policy exception to document); a short-lived one
     * shortens the retention so the name is free sooner.
     */
    keyVault: z.strictObject({
      purgeProtection: z.boolean('must be true or false'),
      softDeleteRetentionDays: z.number().int().min(7, 'must be 7 to 90 days').max(90, 'must be 7 to 90 days'),
    }),
  }),
  exposure: z.strictObject({
    /** How the app is reached when `PUBLIC_HOST_<ENV>` is unset (which makes it "public"). */
    mode: z.enum(['clusterip', 'internal'], 'must be clusterip or internal (public follows from PUBLIC_HOST_<ENV>)'),
  }),
  /** The app's pods (the manifests). */
  workload: z
    .strictObject({
      /** Replicas when idle, the HPA's minimum; at least 2 so a rollout or drain never leaves none. */
      replicas: wholeAtLeast(2),
      /** The HPA's maximum; at least `replicas`. */
      maxReplicas: wholeAtLeast(2),
      resources: z.strictObject({
        cpuRequestMillis: millis,
        cpuLimitMillis: millis,
        memoryRequestMiB: mib('memory request'),
        memoryLimitMiB: mib('memory limit'),
        ephemeralStorageRequestMiB: mib('ephemeral storage request'),
        ephemeralStorageLimitMiB: mib('ephemeral storage limit'),
      }),
    })
    .check((ctx) => {
      if (ctx.value.maxReplicas < ctx.value.replicas) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.maxReplicas,
          path: ['maxReplicas'],
          message: `must be a whole number of at least replicas (${ctx.value.replicas})`,
        });
      }
    }),
});

/** One environment's entry in the platform model: everything that differs between environments. */
export type EnvironmentSpec = z.input<typeof environmentSpecSchema>;

/** The schema of what every environment shares (`platform/shared.ts`). */
export const sharedSpecSchema = z.strictObject({
  /** `GLOBAL_NAME_PREFIX` when unset: Key Vault, SQL server and registry names are global across Azure. */
  defaultGlobalNamePrefix: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be 1-16 lower-case letters, digits and dashes, starting with a letter'),
  registry: z.strictObject({
    /** The shared registry's resource group. */
    resourceGroupName: z
      .string()
      .regex(/^[-\w.()]{1,89}[-\w()]$/, 'must be 1-90 letters, digits, dashes, underscores, dots and parentheses, not ending in a dot'),
    location: z.string().regex(/^[a-z0-9]+$/, 'must be an Azure region name such as uksouth'),
    /** Days untagged manifests are kept before they are purged. */
    untaggedRetentionDays: z
      .number()
      .int('must be a whole number of days from 1 to 365')
      .min(1, 'must be a whole number of days from 1 to 365')
      .max(365, 'must be a whole number of days from 1 to 365'),
  }),
});

/** What every environment shares: the global name prefix's default and the one registry. */
export type SharedSpec = z.input<typeof sharedSpecSchema>;
