import { Testing, TerraformStack } from 'cdktf';
import { AppInsights } from '../app-insights';

function component(name = 'orders-appinsights'): Record<string, unknown> {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AppInsights(stack, 'traces', { name, resourceGroup: { name: 'rg' }, location: 'uksouth', workspace: { id: 'workspace-id' } });
  const synth = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  return Object.values(synth.resource.azurerm_application_insights!)[0]!;
}

test("workspace-based on the given workspace, for Node.js, with no ingestion sampling on top of the app's own, and client addresses masked", () => {
  expect(component()).toMatchObject({
    name: 'orders-appinsights',
    workspace_id: 'workspace-id',
    application_type: 'Node.JS',
    sampling_percentage: 100,
    disable_ip_masking: false,
    local_authentication_disabled: false,
  });
});

test.each([
  ['that is empty', ''],
  ['with a slash', 'a/b'],
  ['ending in a dot', 'ends-with-dot.'],
  ['of 261 characters', 'x'.repeat(261)],
  ['with a tab', 'tab\there'],
])('throws for a name %s', (_why, name) => {
  expect(() => component(name)).toThrow('name must be 1-260 characters, without % & \\ ? / or control characters');
});
