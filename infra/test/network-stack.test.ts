import { spawnSync } from 'node:child_process';
import { Testing } from 'cdktf';
import { environments, OVERLAY_NETWORK, validateEnvironment, type EnvironmentConfig } from '../../platform/environment-config';
import { MANAGED_DEVOPS_POOL_DELEGATION, NSG_PRIORITIES } from '../constructs/networking';
import { TERRAFORM_VERSION } from '../config/terraform-version';
import { stateBackendFromEnv } from '../stacks/base-stack';
import { NetworkStack } from '../stacks/network-stack';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(
  config: EnvironmentConfig,
  backend?: Parameters<typeof stateBackendFromEnv>[0],
): {
  resource: Resources;
  output: Record<string, { value: string; description: string }>;
  terraform: Record<string, unknown>;
  provider: Record<string, unknown[]>;
} {
  const app = Testing.app();
  const stack = new NetworkStack(app, `network-${config.name}`, { config, backend: backend ? stateBackendFromEnv(backend) : undefined });
  return JSON.parse(Testing.synth(stack));
}

const [dev, prod] = environments({ ADMIN_CIDRS: '148.252.158.53/32' });
const rules = (r: Resources) => Object.values(r.azurerm_network_security_rule!);

test('snapshot: network stack (dev)', () => {
  expect(synth(dev!)).toMatchSnapshot();
});

test('snapshot: network stack (prod)', () => {
  expect(synth(prod!)).toMatchSnapshot();
});

test("the seed's names and region are the defaults; each environment has its own address space", () => {
  const { resource } = synth(prod!);
  expect(Object.values(resource.azurerm_resource_group!)[0]).toMatchObject({ name: 'networking-rg', location: 'uksouth' });
  expect(Object.values(resource.azurerm_virtual_network!)[0]).toMatchObject({ name: 'aks-vnet', address_space: ['10.20.0.0/16'] });
  const subnets = Object.values(resource.azurerm_subnet!)
    .map((s) => [s.name, s.address_prefixes])
    .sort();
  expect(subnets).toEqual([
    ['control-plane-subnet', ['10.20.1.0/24']],
    ['deploy-agent-subnet', ['10.20.4.0/24']],
    ['private-endpoint-subnet', ['10.20.3.0/24']],
    ['worker-node-subnet', ['10.20.2.0/24']],
  ]);
  expect(Object.values(synth(dev!).resource.azurerm_virtual_network!)[0]).toMatchObject({ address_space: ['10.10.0.0/16'] });
  expect(Object.values(resource.azurerm_network_security_group!)[0]).toMatchObject({ name: 'aks-nsg' });
});

test('the deploy agents get a subnet delegated to Managed DevOps Pools and a fixed egress address (NAT gateway)', () => {
  const { resource, output } = synth(prod!);
  const agents = Object.entries(resource.azurerm_subnet!).find(([, s]) => s.name === 'deploy-agent-subnet')!;
  expect((agents[1].delegation as any[])[0].service_delegation.name).toBe(MANAGED_DEVOPS_POOL_DELEGATION);
  const nat = Object.values(resource.azurerm_subnet_nat_gateway_association!);
  expect(nat).toEqual([expect.objectContaining({ subnet_id: `\${azurerm_subnet.${agents[0]}.id}` })]);
  expect(Object.values(resource.azurerm_public_ip!)).toEqual([expect.objectContaining({ allocation_method: 'Static', sku: 'Standard' })]);
  expect(output.deploy_agent_egress_ip?.value).toMatch(/azurerm_public_ip\..*\.ip_address/);
});

test(
  'nodes and pods reach pods on other nodes both ways: Azure CNI Overlay does not encapsulate pod traffic, ' + 'so the subnet NSG sees pod addresses',
  () => {
    const overlay = rules(synth(prod!).resource).filter((r) => String(r.name).startsWith('allow-cluster-overlay'));
    expect(
      overlay
        .map((r) => [r.direction, r.access, r.protocol, r.destination_port_range, r.source_address_prefixes, r.destination_address_prefixes])
        .sort(),
    ).toEqual([
      ['Inbound', 'Allow', '*', '*', [prod!.networking.workerNodeSubnetCidr, OVERLAY_NETWORK.podCidr], [OVERLAY_NETWORK.podCidr]],
      ['Outbound', 'Allow', '*', '*', [prod!.networking.workerNodeSubnetCidr, OVERLAY_NETWORK.podCidr], [OVERLAY_NETWORK.podCidr]],
    ]);
    for (const r of overlay) expect(r.priority).toBeLessThan(NSG_PRIORITIES.denyAllInbound);
  },
);

test('no NSG rule pretends to guard the API server, which is outside the VNet (its authorized ranges do)', () => {
  expect(rules(synth(prod!).resource).some((r) => r.destination_port_range === '443' && r.source_address_prefixes !== undefined)).toBe(false);
});

test('HTTP and HTTPS from the Internet are allowed only when the environment is public', () => {
  const web = (c: EnvironmentConfig) => rules(synth(c).resource).filter((r) => r.source_address_prefix === 'Internet');
  expect(web(prod!)).toEqual([]);
  const [, publicProd] = environments({ ADMIN_CIDRS: '148.252.158.53/32', PUBLIC_HOST_PROD: 'orders.shop.example' });
  expect(web(publicProd!)).toEqual([
    expect.objectContaining({
      access: 'Allow',
      protocol: 'Tcp',
      destination_port_ranges: ['80', '443'],
      destination_address_prefix: '*',
      priority: NSG_PRIORITIES.internetWeb,
    }),
  ]);
});

test('SSH is closed by default and, when enabled, open only from private ranges', () => {
  expect(rules(synth(prod!).resource).some((r) => r.destination_port_range === '22')).toBe(false);
  const withSsh = validateEnvironment({ ...prod!, networking: { ...prod!.networking, sshSourceCidrs: ['10.10.0.0/24'] } });
  const ssh = rules(synth(withSsh).resource).find((r) => r.destination_port_range === '22')!;
  expect(ssh).toMatchObject({ access: 'Allow', source_address_prefixes: ['10.10.0.0/24'] });
});

test('an explicit deny-all-inbound rule comes last', () => {
  const all = rules(synth(prod!).resource);
  const deny = all.find((r) => r.name === 'deny-all-inbound')!;
  expect(deny).toMatchObject({
    direction: 'Inbound',
    access: 'Deny',
    protocol: '*',
    destination_port_range: '*',
    source_address_prefix: '*',
    priority: 4096,
  });
  expect(Math.max(...all.map((r) => r.priority as number))).toBe(4096);
});

test('every subnet is associated with the NSG', () => {
  const { resource } = synth(prod!);
  const assoc = Object.values(resource.azurerm_subnet_network_security_group_association!);
  expect(assoc).toHaveLength(Object.keys(resource.azurerm_subnet!).length);
  expect(assoc.map((a) => a.subnet_id).sort()).toEqual(
    Object.keys(resource.azurerm_subnet!)
      .map((k) => `\${azurerm_subnet.${k}.id}`)
      .sort(),
  );
});

test('without public exposure no NSG rule allows inbound from outside the VNet: only the VNet, the cluster overlay and load-balancer probes', () => {
  const allows = rules(synth(prod!).resource).filter((x) => x.access === 'Allow' && x.direction === 'Inbound');
  for (const r of allows) {
    const sources = (r.source_address_prefixes as string[] | undefined) ?? [r.source_address_prefix as string];
    for (const source of sources)
      expect(['VirtualNetwork', 'AzureLoadBalancer', prod!.networking.workerNodeSubnetCidr, OVERLAY_NETWORK.podCidr]).toContain(source);
  }
  expect(allows.map((r) => r.priority as number).every((p) => p < NSG_PRIORITIES.denyAllInbound)).toBe(true);
});

test("outputs are the seed's (VNet id, both subnet ids, resource group name, NSG id) plus the deploy agents' subnet and address", () => {
  expect(Object.keys(synth(prod!).output).sort()).toEqual([
    'aks_nsg_id',
    'control_plane_subnet_id',
    'deploy_agent_egress_ip',
    'deploy_agent_subnet_id',
    'networking_resource_group_name',
    'vnet_id',
    'worker_node_subnet_id',
  ]);
});

test('provider authentication comes from the environment: no client secret or id in the configuration', () => {
  const out = synth(prod!);
  const provider = (out.provider.azurerm as Record<string, unknown>[])[0]!;
  expect(provider).not.toHaveProperty('client_secret');
  expect(provider).not.toHaveProperty('client_id');
  expect(JSON.stringify(out)).not.toMatch(/client_secret|password/i);
});

test('every stack requires exactly the pinned Terraform version, so no other can plan or apply it', () => {
  expect(TERRAFORM_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  expect(synth(dev!).terraform.required_version).toBe(TERRAFORM_VERSION);
});

test('state is local without settings and in an azurerm backend, one key per stack, when configured', () => {
  expect(synth(dev!).terraform.backend).toEqual({ local: { path: '../../../terraform.network-dev.tfstate' } });
  const remote = synth(dev!, { TF_STATE_RESOURCE_GROUP: 'tfstate-rg', TF_STATE_STORAGE_ACCOUNT: 'tfstateorders', TF_STATE_CONTAINER: 'tfstate' });
  expect(remote.terraform.backend).toEqual({
    azurerm: {
      container_name: 'tfstate',
      key: 'network-dev.tfstate',
      resource_group_name: 'tfstate-rg',
      storage_account_name: 'tfstateorders',
      use_azuread_auth: true,
      use_oidc: true,
    },
  });
  expect(() => stateBackendFromEnv({ TF_STATE_CONTAINER: 'x' })).toThrow('Remote state needs all of');
});

test('npm run synth stops on a bad setting with one line naming the setting, the value and the variable, exit 78', () => {
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'infra/main.ts'], {
    encoding: 'utf8',
    env: { ...process.env, ADMIN_CIDRS: '10.0.0.0/8' },
  });
  expect(r.status).toBe(78);
  expect(r.stderr.trim()).toBe(
    'synth: dev.networking.adminCidrs[0] = "10.0.0.0/8": must be a public address range: ' +
      'the API server is reached over the Internet, where private ranges never match (ADMIN_CIDRS)',
  );
});
