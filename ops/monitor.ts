/**
 * Where an environment's dashboards, logs and alerts are, like `azd monitor`:
 *   npm run monitor -- --env dev
 * Reads the platform stack's outputs (`npm run tf -- outputs --env dev`, which `npm run up`
 * writes) and prints the Azure portal links of the workbook, the workspace's logs, the app's
 * traces and the alerts, and the commands that list the alert rules and what fired.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, usage, UsageError } from '../lib/cli-args';
import { outputsFile, stackNames, target } from './environment';

const FLAGS = {
  env: 'the environment, e.g. dev',
  'infra-outputs': 'the outputs JSON of `npm run tf -- outputs` (default cdktf.out/outputs-<env>.json)',
};

const PORTAL = 'https://portal.azure.com/#@/resource';
const ARM_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+$/i;

/** The lines `monitor` prints for the platform stack's outputs. */
export function monitorLines(env: string, resourceGroup: string, outputs: Record<string, unknown>): string[] {
  const stack = outputs[stackNames(env).platform] as Record<string, unknown> | undefined;
  if (!stack)
    throw new UsageError(`the outputs have no ${stackNames(env).platform}: run \`npm run tf -- outputs --env ${env}\` (or \`npm run up\`).`);
  const id = (name: string): string => {
    const value = stack[name];
    if (typeof value !== 'string' || !ARM_ID.test(value))
      throw new UsageError(`output ${name} is not an Azure resource id (got ${JSON.stringify(value)}).`);
    return value;
  };
  const workspace = id('log_analytics_workspace_id');
  const subscription = workspace.split('/')[2]!;
  return [
    `Dashboards, logs and alerts of ${env}:`,
    `  workbook:  ${PORTAL}${id('workbook_id')}/workbook`,
    `  logs:      ${PORTAL}${workspace}/logs   (saved queries under "Queries": the runbook's KQL)`,
    `  alerts:    ${PORTAL}/subscriptions/${subscription}/resourceGroups/${resourceGroup}/alerts`,
    `  cluster:   ${PORTAL}${id('aks_cluster_id')}/workloadsInsights`,
    `  traces:    ${PORTAL}${id('app_insights_id')}/searchV1   (transaction search: a request with its queries and Key Vault calls)`,
    `  app map:   ${PORTAL}${id('app_insights_id')}/applicationMap`,
    'From a terminal:',
    `  az monitor metrics alert list --resource-group ${resourceGroup} -o table`,
    `  az monitor scheduled-query list --resource-group ${resourceGroup} -o table`,
    `  az monitor log-analytics query --workspace $(az monitor log-analytics workspace show --ids ${workspace} --query customerId -o tsv) ` +
      `--analytics-query "ContainerLogV2 | where TimeGenerated > ago(15m) | take 20"`,
    'What each alert means and what to do: monitoring/RUNBOOK.md',
  ];
}

function main(): void {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(usage('npm run monitor -- --env <env>', FLAGS));
    return;
  }
  const { config } = target(args.env);
  const file = args['infra-outputs'] ?? outputsFile(config.name);
  if (!existsSync(file))
    throw new UsageError(`${file} does not exist: run \`npm run tf -- outputs --env ${config.name}\` (or \`npm run up\`) first.`);
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  process.stdout.write(`${monitorLines(config.name, config.networking.resourceGroupName, outputs).join('\n')}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`monitor: ${(err as Error).message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
}
