import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where the pipeline's YAML lives, relative to the repository root. */
export const PIPELINES_DIR = 'pipelines';
export const PIPELINE_FILE = join(PIPELINES_DIR, 'azure-pipelines.yml');
/** The mutation-testing pipeline (nightly and on pull requests that touch the guarded modules). */
export const MUTATION_PIPELINE_FILE = join(PIPELINES_DIR, 'mutation-testing.yml');
export const VARIABLES_FILE = join(PIPELINES_DIR, 'variables.yml');

/** What the bootstrap reads from the pipeline's own YAML: the single source of the names. */
export interface PipelineSettings {
  /** Every variable of pipelines/variables.yml, by name. */
  readonly variables: Readonly<Record<string, string>>;
  /** The variable group azure-pipelines.yml references (`- group:`). */
  readonly variableGroup: string;
  /** The Azure Resource Manager service connection (`azureServiceConnection`). */
  readonly serviceConnection: string;
  /** Terraform state: `TF_STATE_RESOURCE_GROUP`, `TF_STATE_STORAGE_ACCOUNT`, `TF_STATE_CONTAINER`. */
  readonly state: { readonly resourceGroup: string; readonly storageAccount: string; readonly container: string };
  /**
   * The `$(NAME)` macros the pipeline and its templates read that nothing in the YAML defines
   * (not variables.yml, not a stage's or job's `variables:`, not a predefined `Agent.`/`Build.`
   * variable or an output `step.name`): they must come from the variable group.
   */
  readonly undefinedMacros: readonly string[];
  /** What the deployment jobs put before an environment's name: `order-platform-` in `environment: order-platform-<env>`. */
  readonly environmentPrefix: string;
}

/** The keys of every `variables:` mapping (or `- name:` list entry) anywhere in a parsed YAML document. */
function definedVariables(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach((n) => definedVariables(n, into));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'variables' && value && typeof value === 'object' && !Array.isArray(value)) Object.keys(value).forEach((k) => into.add(k));
    if (key === 'variables' && Array.isArray(value))
      for (const v of value as unknown[]) if (v && typeof v === 'object' && 'name' in v) into.add(String((v as { name: unknown }).name));
    definedVariables(value, into);
  }
}

function required(variables: Record<string, unknown>, name: string): string {
  const value = variables[name];
  if (typeof value !== 'string' || value === '') throw new Error(`${VARIABLES_FILE} must define ${name} (a string); got ${JSON.stringify(value)}.`);
  return value;
}

/** Reads pipelines/variables.yml, azure-pipelines.yml and its templates under `root`. */
export function readPipelineSettings(root: string): PipelineSettings {
  const varsDoc = parse(readFileSync(join(root, VARIABLES_FILE), 'utf8')) as { variables?: Record<string, unknown> } | null;
  const variables = Object.fromEntries(Object.entries(varsDoc?.variables ?? {}).map(([k, v]) => [k, String(v)]));
  const pipelineText = readFileSync(join(root, PIPELINE_FILE), 'utf8');
  const pipeline = parse(pipelineText) as { variables?: unknown[] };
  const groups = (pipeline.variables ?? []).flatMap((v) =>
    v && typeof v === 'object' && 'group' in v ? [String((v as { group: unknown }).group)] : [],
  );
  if (groups.length !== 1) throw new Error(`${PIPELINE_FILE} must reference exactly one variable group (- group: <name>); found ${groups.length}.`);

  const templatesDir = join(root, PIPELINES_DIR, 'templates');
  const texts = [
    pipelineText,
    ...readdirSync(templatesDir)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => readFileSync(join(templatesDir, f), 'utf8')),
  ];
  const defined = new Set(Object.keys(variables));
  texts.forEach((t) => definedVariables(parse(t), defined));
  const macros = new Set(texts.flatMap((t) => [...t.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]!)));
  const prefixes = new Set(texts.flatMap((t) => [...t.matchAll(/environment: (\S+)\$\{\{ parameters\.environment \}\}/g)].map((m) => m[1]!)));
  if (prefixes.size !== 1)
    throw new Error(`the deployment jobs in ${PIPELINES_DIR}/ must name one environment prefix; found ${[...prefixes].join(', ') || 'none'}.`);
  return {
    variables,
    environmentPrefix: [...prefixes][0]!,
    variableGroup: groups[0]!,
    serviceConnection: required(variables, 'azureServiceConnection'),
    state: {
      resourceGroup: required(variables, 'TF_STATE_RESOURCE_GROUP'),
      storageAccount: required(variables, 'TF_STATE_STORAGE_ACCOUNT'),
      container: required(variables, 'TF_STATE_CONTAINER'),
    },
    undefinedMacros: [...macros].filter((m) => !defined.has(m)).sort(),
  };
}
