import { deploymentFacts, type DeployArtifacts } from './deployment';
import { checkFlows, type FlowResult } from './flows';
import {
  checkLocalAccounts,
  checkOrdering,
  checkPermissions,
  checkSqlAdministrator,
  type OrderingResult,
  type PermissionResult,
} from './permissions';

/** Everything the deploy model found for one environment. */
export interface DeploymentReport {
  readonly env: string;
  readonly flows: readonly FlowResult[];
  readonly permissions: readonly PermissionResult[];
  readonly ordering: readonly OrderingResult[];
  /** One line per expectation that does not hold, naming the flow or permission. */
  readonly failures: readonly string[];
}

/**
 * Simulates what Azure and Kubernetes would do with one environment's synthesized stacks and
 * manifest: every network path, every permission, and the order of data-plane writes.
 */
export function checkDeployment(a: DeployArtifacts): DeploymentReport {
  const facts = deploymentFacts(a);
  const flows = checkFlows(facts, a.manifests);
  const permissions = [...checkPermissions(a, facts), checkSqlAdministrator(a, facts), checkLocalAccounts(facts)];
  const ordering = checkOrdering(a, facts);
  const failures = [
    ...flows
      .filter((r) => !r.ok)
      .map(
        (r) =>
          `flow ${r.id} (${r.from} -> ${r.to} :${r.port}) should be ${r.expected} ` +
          `but is ${r.actual === 'allow' ? 'open' : 'closed'}: ${r.decidedBy.join('; ')}`,
      ),
    ...permissions
      .filter((r) => !r.ok)
      .map((r) =>
        r.expected === 'granted'
          ? `permission: ${r.identity} cannot ${r.action} on ${r.scope} (${r.neededFor}): ${r.grantedBy}`
          : `permission: ${r.identity} must not ${r.action} on ${r.scope} (${r.neededFor}), but has it: ${r.grantedBy}`,
      ),
    ...ordering.filter((r) => !r.ok).map((r) => `ordering: ${r.what} must wait for ${r.waitsFor}: ${r.detail}`),
  ];
  return { env: a.config.name, flows, permissions, ordering, failures };
}
