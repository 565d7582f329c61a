import { TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';

type Tags = Readonly<Record<string, string>>;

/** A generated resource class with a `tags` argument (`tagsInput` is what was set). */
interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

/**
 * Resource types that take tags but are not tagged: a saved search has never carried tags
 * here, and the aspect keeps the synthesized configuration as it was.
 */
export const UNTAGGED_RESOURCE_TYPES: ReadonlySet<string> = new Set(['azurerm_log_analytics_saved_search']);

/** Whether a resource's generated class takes `tags`. */
export const isTaggable = (node: IConstruct): node is TerraformResource & Taggable =>
  node instanceof TerraformResource && 'tagsInput' in node && !UNTAGGED_RESOURCE_TYPES.has(node.terraformResourceType);

/**
 * Puts the stack's tags on every resource that takes them (and on the AKS default node pool,
 * whose VMs are tagged through the cluster), once per stack instead of through every
 * construct's props. Tags a resource sets itself win over the stack's.
 */
export class TagsAspect implements IAspect {
  constructor(private readonly tags: Tags) {}

  visit(node: IConstruct): void {
    if (!isTaggable(node)) return;
    node.tags = { ...this.tags, ...node.tagsInput };
    if (node instanceof KubernetesCluster) node.defaultNodePool.tags = { ...this.tags, ...node.defaultNodePool.tagsInput };
  }
}
