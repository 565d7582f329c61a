import { containsAddress, parseCidr } from '../../platform/cidr';
import { environments, InfraConfigError, opensSetupWindow } from '../../platform/environment-config';
import { all, only, synthEnvironment } from '../../test-helpers/synth-helpers';

// The setup window of `npm run up -- --setup-access`: evaluated as Azure evaluates a request
// from an Internet address to the vault's and the SQL server's public endpoints.

const SETTINGS = {
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f',
  SQL_ADMIN_GROUP_OBJECT_ID: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  DEPLOYER_OBJECT_ID: '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4',
};
const platform = (env: Record<string, string>, name = 'dev') =>
  synthEnvironment(environments({ ...SETTINGS, ...env }).find((e) => e.name === name)!).platform as { resource: Record<string, any> };

/**
 * Key Vault's firewall for a request that does not come through the private endpoint: refused
 * when public network access is off; otherwise the IP rules (addresses or CIDRs), then the
 * default action. (`bypass: AzureServices` admits trusted Azure services, not addresses.)
 */
function vaultAdmits(stack: { resource: Record<string, any> }, address: string): boolean {
  const vault = only(stack.resource, 'azurerm_key_vault') as Record<string, any>;
  if (vault.public_network_access_enabled !== true) return false;
  const acls = vault.network_acls as { default_action: string; ip_rules?: string[] };
  const rules = (acls.ip_rules ?? []).map((r) => (parseCidr(r) ? r : `${r}/32`));
  if (rules.some((r) => containsAddress(r, address))) return true;
  return acls.default_action === 'Allow';
}

/** Azure SQL's public endpoint: refused when public network access is off; otherwise a server firewall rule's range. */
function sqlAdmits(stack: { resource: Record<string, any> }, address: string): boolean {
  const server = only(stack.resource, 'azurerm_mssql_server') as Record<string, any>;
  if (server.public_network_access_enabled !== true) return false;
  const n = (ip: string) => ip.split('.').reduce((v, octet) => v * 256 + Number(octet), 0);
  return all(stack.resource, 'azurerm_mssql_firewall_rule').some(
    (rule) => n(String(rule.start_ip_address)) <= n(address) && n(address) <= n(String(rule.end_ip_address)),
  );
}

const ADDRESSES = ['203.0.113.7', '203.0.113.8', '148.252.158.53', '0.0.0.0', '8.8.8.8'];

describe('the setup window (SETUP_ACCESS_CIDR)', () => {
  test.each(['dev', 'prod'])('%s without it: neither the vault nor the SQL server admits any Internet address', (name) => {
    const stack = platform({}, name);
    for (const address of ADDRESSES)
      expect({ address, vault: vaultAdmits(stack, address), sql: sqlAdmits(stack, address) }).toEqual({
        address,
        vault: false,
        sql: false,
      });
  });

  test.each(['dev', 'prod'])('%s with it: exactly that address reaches both, and no other', (name) => {
    const stack = platform({ SETUP_ACCESS_CIDR: '203.0.113.7/32' }, name);
    const admitted = ADDRESSES.filter((a) => vaultAdmits(stack, a));
    expect(admitted).toEqual(['203.0.113.7']);
    expect(ADDRESSES.filter((a) => sqlAdmits(stack, a))).toEqual(['203.0.113.7']);
    // Entra-only sign-in stays: the window opens the network path, not a password login.
    expect((only(stack.resource, 'azurerm_mssql_server') as any).azuread_administrator.azuread_authentication_only).toBe(true);
  });

  test('the window changes nothing but the two endpoints: the private endpoints and the rest of the stack stay as they were', () => {
    const closed = platform({});
    const open = platform({ SETUP_ACCESS_CIDR: '203.0.113.7/32' });
    const types = (s: { resource: Record<string, any> }) => Object.keys(s.resource).sort();
    expect(types(open).filter((t) => !types(closed).includes(t))).toEqual(['azurerm_mssql_firewall_rule']);
    const strip = (s: { resource: Record<string, any> }) => {
      const r = JSON.parse(JSON.stringify(s.resource));
      delete r.azurerm_mssql_firewall_rule;
      for (const v of Object.values<any>(r.azurerm_key_vault)) {
        delete v.public_network_access_enabled;
        delete v.network_acls;
      }
      for (const v of Object.values<any>(r.azurerm_mssql_server)) delete v.public_network_access_enabled;
      return r;
    };
    expect(strip(open)).toEqual(strip(closed));
  });

  test('a synthesized stack shows whether it opens the window (what `npm run tf` refuses in the pipeline)', () => {
    for (const indent of [undefined, 2]) {
      expect(opensSetupWindow(JSON.stringify(platform({ SETUP_ACCESS_CIDR: '203.0.113.7/32' }), null, indent))).toBe(true);
      expect(opensSetupWindow(JSON.stringify(platform({}), null, indent))).toBe(false);
    }
  });

  test.each([
    ['10.0.0.7/32', 'private'],
    ['203.0.113.0/24', 'a range'],
    ['203.0.113.300/32', 'no such address'],
    ['0.0.0.0/0', 'the Internet'],
    ['my-laptop', 'not an address'],
  ])('refuses %s (%s), naming the setting and what it expects', (value) => {
    const attempt = () => environments({ ...SETTINGS, SETUP_ACCESS_CIDR: value });
    expect(attempt).toThrow(InfraConfigError);
    expect(attempt).toThrow(
      `dev.access.setupAccessCidr = "${value}": must be one public IPv4 address as a /32, such as 203.0.113.7/32: ` +
        "this machine's address as the Internet sees it (SETUP_ACCESS_CIDR)",
    );
  });
});
