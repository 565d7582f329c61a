import { AZURE_PLATFORM_IP, evaluateNsg, prefixMatches, type Endpoint, type NsgRule } from '../nsg';

const context = { virtualNetwork: ['10.20.0.0/16'] };
const at = (ip: string, ref?: string): Endpoint => ({ label: ip, ip, ...(ref ? { ref } : {}) });
const rule = (r: Partial<NsgRule> & Pick<NsgRule, 'name' | 'priority' | 'access'>): NsgRule => ({
  direction: 'Inbound',
  protocol: '*',
  sourcePrefixes: ['*'],
  destinationPrefixes: ['*'],
  destinationPorts: ['*'],
  ...r,
});
const tcp = (source: string, destination: string, port: number) => ({
  source: at(source),
  destination: at(destination),
  protocol: 'Tcp' as const,
  port,
});

test('the lowest priority number decides, whatever the order of the rules', () => {
  const rules = [
    rule({ name: 'deny-443', priority: 200, access: 'Deny', destinationPorts: ['443'] }),
    rule({ name: 'allow-443', priority: 100, access: 'Allow', destinationPorts: ['443'] }),
  ];
  expect(evaluateNsg(rules, 'Inbound', tcp('198.51.100.7', '10.20.2.4', 443), context).rule.name).toBe('allow-443');
  expect(evaluateNsg([...rules].reverse(), 'Inbound', tcp('198.51.100.7', '10.20.2.4', 443), context).rule.name).toBe('allow-443');
});

test('without a matching custom rule the defaults apply: VNet and load balancer in, everything else denied', () => {
  expect(evaluateNsg([], 'Inbound', tcp('10.20.1.4', '10.20.2.4', 22), context)).toMatchObject({
    access: 'Allow',
    isDefault: true,
    rule: { name: 'AllowVnetInBound' },
  });
  expect(evaluateNsg([], 'Inbound', tcp(AZURE_PLATFORM_IP, '10.20.2.4', 10256), context).rule.name).toBe('AllowAzureLoadBalancerInBound');
  expect(evaluateNsg([], 'Inbound', tcp('198.51.100.7', '10.20.2.4', 443), context)).toMatchObject({
    access: 'Deny',
    rule: { name: 'DenyAllInBound' },
  });
  expect(evaluateNsg([], 'Outbound', tcp('10.20.2.4', '20.190.128.1', 443), context).rule.name).toBe('AllowInternetOutBound');
});

test('an explicit deny-all above the defaults shuts what the defaults would allow', () => {
  const rules = [rule({ name: 'deny-all-inbound', priority: 4096, access: 'Deny' })];
  expect(evaluateNsg(rules, 'Inbound', tcp('10.20.1.4', '10.20.2.4', 22), context).rule.name).toBe('deny-all-inbound');
});

test(
  'service tags: Internet is public space outside the VNet; VirtualNetwork the VNet and connected ranges; ' +
    'AzureLoadBalancer the platform address',
  () => {
    expect(prefixMatches('Internet', at('198.51.100.7'), context)).toBe(true);
    expect(prefixMatches('Internet', at('10.99.0.1'), context)).toBe(false);
    expect(prefixMatches('Internet', at(AZURE_PLATFORM_IP), context)).toBe(false);
    expect(prefixMatches('VirtualNetwork', at('10.20.4.4'), context)).toBe(true);
    expect(prefixMatches('VirtualNetwork', at('10.21.0.1'), context)).toBe(false);
    expect(prefixMatches('VirtualNetwork', at('10.21.0.1'), { virtualNetwork: ['10.20.0.0/16', '10.21.0.0/16'] })).toBe(true);
    expect(prefixMatches('AzureLoadBalancer', at(AZURE_PLATFORM_IP), context)).toBe(true);
    expect(prefixMatches('AzureLoadBalancer', at('198.51.100.7'), context)).toBe(false);
  },
);

test('protocol, port ranges and prefixes must all match', () => {
  const rules = [
    rule({
      name: 'udp-range',
      priority: 100,
      access: 'Allow',
      protocol: 'Udp',
      sourcePrefixes: ['198.51.100.0/24'],
      destinationPorts: ['1000-2000'],
    }),
  ];
  const packet = { source: at('198.51.100.7'), destination: at('10.20.2.4'), protocol: 'Udp' as const, port: 1500 };
  expect(evaluateNsg(rules, 'Inbound', packet, context).rule.name).toBe('udp-range');
  expect(evaluateNsg(rules, 'Inbound', { ...packet, protocol: 'Tcp' }, context).rule.name).toBe('DenyAllInBound');
  expect(evaluateNsg(rules, 'Inbound', { ...packet, port: 2001 }, context).rule.name).toBe('DenyAllInBound');
  expect(evaluateNsg(rules, 'Inbound', { ...packet, source: at('198.51.101.7') }, context).rule.name).toBe('DenyAllInBound');
});

test('a prefix that names a Terraform reference matches only the endpoint with that reference', () => {
  const nat = '{network-dev:azurerm_public_ip.nat.ip_address}';
  expect(prefixMatches(`${nat}/32`, at('20.1.1.1', nat), context)).toBe(true);
  expect(prefixMatches(`${nat}/32`, at('20.1.1.1'), context)).toBe(false);
  expect(prefixMatches(`${nat}/32`, at('20.1.1.1', '{network-dev:azurerm_public_ip.other.ip_address}'), context)).toBe(false);
});

test('a rule with source ports admits only clients from those ports (clients use ephemeral ports)', () => {
  const rules = [rule({ name: 'web', priority: 100, access: 'Allow', destinationPorts: ['443'], sourcePorts: ['443'] })];
  expect(evaluateNsg(rules, 'Inbound', tcp('198.51.100.7', '10.20.2.4', 443), context).rule.name).toBe('DenyAllInBound');
  expect(evaluateNsg(rules, 'Inbound', { ...tcp('198.51.100.7', '10.20.2.4', 443), sourcePort: 443 }, context).rule.name).toBe('web');
});

test('a service tag the model cannot resolve is assumed to match a deny and never an allow, and the decision says so', () => {
  const deny = [rule({ name: 'block-entra', priority: 100, access: 'Deny', direction: 'Outbound', destinationPrefixes: ['AzureActiveDirectory'] })];
  expect(evaluateNsg(deny, 'Outbound', tcp('10.20.2.4', '20.190.128.1', 443), context)).toMatchObject({
    access: 'Deny',
    rule: { name: 'block-entra' },
    assumed: ['AzureActiveDirectory'],
  });
  const allow = [rule({ name: 'allow-storage', priority: 100, access: 'Allow', sourcePrefixes: ['Storage'] })];
  expect(evaluateNsg(allow, 'Inbound', tcp('20.1.1.1', '10.20.2.4', 443), context).rule.name).toBe('DenyAllInBound');
});
