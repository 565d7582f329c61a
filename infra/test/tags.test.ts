import fs from 'node:fs';
import path from 'node:path';
import { environments } from '../../platform/environment-config';
import { registryConfig } from '../../platform/registry-config';
import { synthEnvironment, type Resources } from '../../test-helpers/synth-helpers';
import { UNTAGGED_RESOURCE_TYPES } from '../aspects/tags-aspect';

const PROVIDER_LIB = path.join(__dirname, '..', '..', 'node_modules', '@cdktf', 'provider-azurerm', 'lib');

/** Whether the generated resource class of an azurerm type takes `tags` (read from its declarations). */
function takesTags(type: string): boolean {
  if (!type.startsWith('azurerm_')) return false;
  const dts = fs.readFileSync(path.join(PROVIDER_LIB, type.slice('azurerm_'.length).replace(/_/g, '-'), 'index.d.ts'), 'utf8');
  return dts.slice(dts.indexOf('extends cdktf.TerraformResource')).includes('get tagsInput()');
}

/** Every resource's tags, or `undefined`, as `type.name`, split into those that should and should not carry tags. */
function tagsOf(resources: Resources): { taggable: Record<string, unknown>; untaggable: Record<string, unknown> } {
  const taggable: Record<string, unknown> = {};
  const untaggable: Record<string, unknown> = {};
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, body] of Object.entries(byName)) {
      (takesTags(type) && !UNTAGGED_RESOURCE_TYPES.has(type) ? taggable : untaggable)[`${type}.${name}`] = body.tags;
    }
  }
  return { taggable, untaggable };
}

const env = { ADMIN_CIDRS: '148.252.158.53/32', ALERT_EMAILS: 'oncall@shop.example,lead@shop.example' };

describe.each(environments(env).map((config) => [config.name, config] as const))('%s', (_name, config) => {
  const synth = synthEnvironment(config);

  test.each(['network', 'platform'] as const)(
    'every taggable resource in the %s stack carries the environment tags, and no other resource has tags',
    (stack) => {
      const { taggable, untaggable } = tagsOf(synth[stack].resource);
      expect(Object.keys(taggable).length).toBeGreaterThan(0);
      for (const [where, tags] of Object.entries(taggable)) expect({ where, tags }).toEqual({ where, tags: config.tags });
      for (const [where, tags] of Object.entries(untaggable)) expect({ where, tags }).toEqual({ where, tags: undefined });
    },
  );

  test('the AKS default node pool carries the environment tags', () => {
    const clusters = Object.values(synth.platform.resource.azurerm_kubernetes_cluster ?? {});
    expect(clusters).toHaveLength(1);
    expect((clusters[0]!.default_node_pool as Record<string, unknown>).tags).toEqual(config.tags);
  });

  test('every taggable resource in the registry stack carries the registry tags', () => {
    const { taggable, untaggable } = tagsOf(synth.registry.resource);
    expect(Object.keys(taggable).length).toBeGreaterThan(0);
    for (const [where, tags] of Object.entries(taggable)) expect({ where, tags }).toEqual({ where, tags: registryConfig({}).tags });
    for (const [where, tags] of Object.entries(untaggable)) expect({ where, tags }).toEqual({ where, tags: undefined });
  });
});
