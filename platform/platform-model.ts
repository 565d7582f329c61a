import type { z } from 'zod';
import { dev } from './dev';
import { environmentSpecSchema, sharedSpecSchema, type EnvironmentSpec, type SharedSpec } from './environment-spec';
import { InfraConfigError } from './infra-config-error';
import { prod } from './prod';
import { shared } from './shared';

/** The platform: what every environment shares, and the environments in deploy order. */
export interface PlatformModel {
  readonly shared: SharedSpec;
  readonly environments: readonly EnvironmentSpec[];
}

/** The platform model `infra/`, `k8s/`, `monitoring/` and the pipeline follow: one file per environment. */
export const PLATFORM_MODEL: PlatformModel = { shared, environments: [dev, prod] };

/** The value at a path of a parsed-from object, for the error message. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);
}

const pathText = (at: string, path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), at);

/** Checks a value against a schema; throws `InfraConfigError` naming the first broken setting, its value and the rule. */
function check(schema: z.ZodType, value: unknown, at: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const path = [...issue.path, issue.keys[0]!];
    throw new InfraConfigError(pathText(at, path), valueAt(value, path), 'is not a setting of the platform model (see platform/environment-spec.ts)');
  }
  const rule =
    issue.code === 'invalid_type'
      ? `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`
      : issue.message;
  throw new InfraConfigError(pathText(at, issue.path), valueAt(value, issue.path) ?? null, rule);
}

/**
 * Checks the model: each environment against the schema, then what holds between them (names,
 * resource groups, clusters and DNS prefixes are each unique: two environments share a
 * subscription). Throws `InfraConfigError` naming the setting, the value and the rule.
 */
export function validatePlatformModel(model: PlatformModel): PlatformModel {
  check(sharedSpecSchema, model.shared, 'shared');
  if (model.environments.length === 0) throw new InfraConfigError('environments', model.environments, 'must name at least one environment');
  model.environments.forEach((spec, i) => {
    const name = (spec as { name?: unknown } | undefined)?.name;
    check(environmentSpecSchema, spec, typeof name === 'string' && /^[a-z][a-z0-9]{1,9}$/.test(name) ? name : `environments[${i}]`);
  });
  const unique: readonly [string, (s: EnvironmentSpec) => string][] = [
    ['name', (s) => s.name],
    ['networking.resourceGroupName', (s) => s.networking.resourceGroupName.toLowerCase()],
    ['cluster.name', (s) => s.cluster.name.toLowerCase()],
    ['cluster.dnsPrefix', (s) => s.cluster.dnsPrefix.toLowerCase()],
  ];
  model.environments.forEach((spec, i) => {
    for (const [key, of] of unique) {
      const other = model.environments.slice(0, i).find((o) => of(o) === of(spec));
      if (other)
        throw new InfraConfigError(
          `${spec.name}.${key}`,
          valueAt(spec, key.split('.')),
          `must differ from ${other.name}'s: each environment has its own`,
        );
    }
  });
  return model;
}
