import { environments, InfraConfigError } from '../../platform/environment-config';
import { loginServer, registryConfig, validateRegistry } from '../../platform/registry-config';
import { only, synthEnvironment } from '../../test-helpers/synth-helpers';

const [dev, prod] = environments({});
const { registry, platform } = synthEnvironment(prod!);
const acr = only(registry.resource, 'azurerm_container_registry') as Record<string, any>;

test('snapshot: registry stack', () => {
  expect(registry).toMatchSnapshot();
});

test('one Premium registry, named after GLOBAL_NAME_PREFIX, in its own resource group', () => {
  expect(acr).toMatchObject({ name: 'orderplatacr', sku: 'Premium', location: 'uksouth', retention_policy_in_days: 7 });
  expect(only(registry.resource, 'azurerm_resource_group')).toMatchObject({ name: 'order-platform-shared-rg' });
  expect(registryConfig({ GLOBAL_NAME_PREFIX: 'My-Shop' }).name).toBe('myshopacr');
  expect(loginServer(registryConfig({}))).toBe('orderplatacr.azurecr.io');
});

test('outputs the login server and id', () => {
  expect(registry.output.container_registry_login_server!.value).toMatch(/azurerm_container_registry\.[\w-]+\.login_server/);
  expect(registry.output.container_registry_id!.value).toMatch(/azurerm_container_registry\.[\w-]+\.id/);
});

test.each([
  ['dev', dev!],
  ['prod', prod!],
])("the %s cluster's kubelet identity pulls from it (AcrPull), through the registry stack's state", (_name, config) => {
  const p = config === prod ? platform : synthEnvironment(config).platform;
  const pull = Object.values(p.resource.azurerm_role_assignment!).find((r) => r.role_definition_name === 'AcrPull') as Record<string, any>;
  expect(pull.principal_id).toMatch(/azurerm_kubernetes_cluster\.[\w-]+\.kubelet_identity\[0\]\.object_id/);
  expect(pull.scope).toMatch(/data\.terraform_remote_state\.cross-stack-reference-input-registry\.outputs\./);
});

test('a registry name with dashes or too short fails with the setting named', () => {
  const base = registryConfig({});
  expect(() => validateRegistry({ ...base, name: 'order-acr' })).toThrow(InfraConfigError);
  expect(() => validateRegistry({ ...base, name: 'acr' })).toThrow('registry.name = "acr": must be 5-50 letters and digits');
  expect(() => validateRegistry({ ...base, untaggedRetentionDays: 0 })).toThrow('registry.untaggedRetentionDays = 0');
});
