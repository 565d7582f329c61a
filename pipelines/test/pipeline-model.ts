import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

export const PIPELINES_DIR = join(__dirname, '..');
export const MAIN_PIPELINE = join(PIPELINES_DIR, 'azure-pipelines.yml');

type Node = any;
type ListKey = 'stages' | 'jobs' | 'steps';
const LIST_KEYS: readonly ListKey[] = ['stages', 'jobs', 'steps'];

/** The value of a filled-in `${{ if true|false }}`; any other expression is not evaluated here. */
function isTrue(conditional: string, from: string): boolean {
  const value = conditional.replace(/^\$\{\{\s*if\s+|\s*\}\}$/g, '').trim();
  if (value !== 'true' && value !== 'false') throw new Error(`${from}: cannot evaluate ${conditional}`);
  return value === 'true';
}
const CONDITIONAL = /^\$\{\{\s*if\s/;

/** Variables defined in the YAML (compile-time), by name. */
export function yamlVariables(file = MAIN_PIPELINE): Record<string, string> {
  const vars: Record<string, string> = {};
  const add = (list: Node, from: string): void => {
    if (!Array.isArray(list)) {
      Object.assign(vars, list ?? {});
      return;
    }
    for (const entry of list) {
      if (entry.template) add(parse(readFileSync(join(dirname(from), entry.template), 'utf8')).variables, join(dirname(from), entry.template));
      else if (entry.name) vars[entry.name] = String(entry.value);
    }
  };
  add(parse(readFileSync(file, 'utf8')).variables, file);
  return vars;
}

/**
 * Replaces `${{ parameters.x }}` and `${{ variables.x }}` in text, as Azure Pipelines does at
 * compile time. An unknown name is an error (a typo would otherwise reach the pipeline).
 */
function substitute(text: string, params: Record<string, unknown>, vars: Record<string, string>, source: string): string {
  const lookup = (kind: string, name: string): string => {
    const table: Record<string, unknown> = kind === 'parameters' ? params : vars;
    if (!(name in table)) throw new Error(`${source}: unknown ${kind}.${name}`);
    return String(table[name]);
  };
  return (
    text
      // As Azure Pipelines reads a value in `${{ if x }}`: an empty string and `false` are false, any other value true.
      .replace(/\$\{\{\s*if\s+(parameters|variables)\.(\w+)\s*\}\}/g, (_m, kind: string, name: string) => {
        const value = lookup(kind, name);
        return `\${{ if ${value !== '' && value !== 'false'} }}`;
      })
      .replace(/\$\{\{\s*(parameters|variables)\.(\w+)\s*\}\}/g, (_m, kind: string, name: string) => lookup(kind, name))
  );
}

/** Fills compile-time expressions in every key and string of a parsed document (multi-line values stay intact). */
function substituteTree(node: Node, params: Record<string, unknown>, vars: Record<string, string>, source: string): Node {
  // A value that is exactly one parameter takes the parameter's value as it is (an object too, e.g. a pool).
  const whole = typeof node === 'string' ? /^\$\{\{\s*parameters\.(\w+)\s*\}\}$/.exec(node) : null;
  if (whole) {
    if (!(whole[1]! in params)) throw new Error(`${source}: unknown parameters.${whole[1]}`);
    return params[whole[1]!];
  }
  if (typeof node === 'string') return substitute(node, params, vars, source);
  if (Array.isArray(node)) return node.map((n) => substituteTree(n, params, vars, source));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const key = substitute(k, params, vars, source);
    const value = substituteTree(v, params, vars, source);
    // `${{ if x }}:` inside a mapping inserts its keys when x is true (two such keys can fill in alike, so now).
    if (CONDITIONAL.test(key) && !Array.isArray(value)) {
      if (isTrue(key, source)) Object.assign(out, value);
    } else out[key] = value;
  }
  return out;
}

/** Loads a template with its declared parameter defaults and the given values. */
function loadTemplate(file: string, given: Record<string, unknown>, vars: Record<string, string>): Node {
  const doc = parse(readFileSync(file, 'utf8'));
  const declared = (doc.parameters ?? []) as { name: string; default?: unknown }[];
  const params: Record<string, unknown> = {};
  for (const p of declared) if (p.default !== undefined) params[p.name] = p.default;
  for (const [k, v] of Object.entries(given)) {
    if (!declared.some((p) => p.name === k)) throw new Error(`${file}: no parameter ${k}`);
    params[k] = v;
  }
  for (const p of declared) if (!(p.name in params)) throw new Error(`${file}: parameter ${p.name} not given`);
  const { parameters: _declared, ...body } = doc;
  return substituteTree(body, params, vars, file);
}

/** Expands `- template:` entries and `${{ if <bool> }}:` blocks in a list, recursively. */
function expandList(list: Node[], key: ListKey, from: string, vars: Record<string, string>): Node[] {
  const out: Node[] = [];
  for (const item of list) {
    if (item && typeof item === 'object' && 'template' in item) {
      const file = join(dirname(from), item.template);
      const loaded = loadTemplate(file, item.parameters ?? {}, vars);
      out.push(...expandList(loaded[key], key, file, vars));
      continue;
    }
    const conditional = item && typeof item === 'object' ? Object.keys(item).find((k) => CONDITIONAL.test(k)) : undefined;
    if (conditional && Array.isArray(item[conditional])) {
      if (isTrue(conditional, from)) out.push(...expandList(item[conditional], key, from, vars));
      continue;
    }
    out.push(expandNode(item, from, vars));
  }
  return out;
}

function expandNode(node: Node, from: string, vars: Record<string, string>): Node {
  if (Array.isArray(node)) return node.map((n) => expandNode(n, from, vars));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // `${{ if x }}:` inside a mapping inserts its keys when x is true.
    if (CONDITIONAL.test(k)) {
      if (isTrue(k, from)) Object.assign(out, expandNode(v, from, vars));
      continue;
    }
    out[k] = LIST_KEYS.includes(k as ListKey) && Array.isArray(v) ? expandList(v, k as ListKey, from, vars) : expandNode(v, from, vars);
  }
  return out;
}

/** The pipeline as Azure Pipelines compiles it: templates expanded, compile-time expressions filled in. */
export function loadPipeline(file = MAIN_PIPELINE): { pipeline: Node; stages: Node[]; vars: Record<string, string> } {
  const vars = yamlVariables(file);
  const pipeline = expandNode(substituteTree(parse(readFileSync(file, 'utf8')), {}, vars, file), file, vars);
  return { pipeline, stages: pipeline.stages, vars };
}

/** Every job of a stage (regular and deployment jobs). */
export function jobsOf(stage: Node): Node[] {
  return stage.jobs ?? [];
}

/** Every step of a job, deployment jobs included. */
export function stepsOf(job: Node): Node[] {
  return job.steps ?? job.strategy?.runOnce?.deploy?.steps ?? [];
}

/** Every step of the pipeline with the stage it is in. */
export function allSteps(stages: Node[]): { stage: string; step: Node }[] {
  return stages.flatMap((s) => jobsOf(s).flatMap((j) => stepsOf(j).map((step) => ({ stage: s.stage as string, step }))));
}

/** Every shell line the pipeline runs: `script` steps and AzureCLI inline scripts. */
export function shellText(step: Node): string {
  return [step.script, step.inputs?.inlineScript].filter((x): x is string => typeof x === 'string').join('\n');
}
