import { checkDeployment, type DeploymentReport } from '../check-deployment';
import type { DeployArtifacts } from '../deployment';
import { formatReport } from '../report';
import { synthesizeDeployment } from '../synthesize';
import { TerraformModel, type StackJson } from '../terraform-model';

export const DEPLOY_ENV = {
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f',
  ADMIN_GROUP_NAME: 'Order Platform Admins',
  DEPLOYER_OBJECT_ID: '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4',
  APP_IMAGE: 'orderplatacr.azurecr.io/order-app:20261201.1-3f2a9c1',
};
const PUBLIC_ENV = { ...DEPLOY_ENV, PUBLIC_HOST_PROD: 'orders.shop.example', OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant/v2.0', OIDC_CLIENT_ID_PROD: 'client-1' };

const dev = synthesizeDeployment(DEPLOY_ENV, 'dev');
const prodInternal = synthesizeDeployment(DEPLOY_ENV, 'prod');
const prodPublic = synthesizeDeployment(PUBLIC_ENV, 'prod');

/** A deep copy of the artifacts with the stacks' JSON and the manifests open to edits. */
function mutate(a: DeployArtifacts, edit: (stacks: Record<string, any>, manifests: any[]) => void): DeployArtifacts {
  const stacks = JSON.parse(JSON.stringify(a.terraform.stacks)) as Record<string, StackJson>;
  const manifests = JSON.parse(JSON.stringify(a.manifests)) as any[];
  edit(stacks, manifests);
  return { ...a, terraform: new TerraformModel(stacks), manifests };
}
const byName = (stack: any, type: string, id: string): [string, any] => Object.entries(stack.resource[type]).find(([k]) => k.includes(id)) as [string, any];
const flow = (r: DeploymentReport, id: string) => r.flows.find((f) => f.id === id)!;

describe.each([
  ['dev (ClusterIP)', dev],
  ['prod (internal load balancer)', prodInternal],
  ['prod (public HTTPS ingress)', prodPublic],
] as const)('%s', (_name, artifacts) => {
  const report = checkDeployment(artifacts);

  test('every flow, permission and write order holds', () => {
    expect(report.failures).toEqual([]);
    expect(report.flows.length).toBeGreaterThanOrEqual(20);
  });

  test('the staff\'s way in matches the exposure, and the app is never reachable from the Internet but through HTTPS', () => {
    const ids = report.flows.filter((f) => f.expected === 'open').map((f) => f.id);
    const exposure = artifacts.config.exposure.mode;
    expect(ids.includes('internet-ingress-443')).toBe(exposure === 'public');
    expect(ids.includes('internal-client-app')).toBe(exposure === 'internal');
    for (const id of ['internet-app-port', 'internet-app-service', 'internet-ssh', 'internet-sql', 'internet-key-vault', 'other-namespace-app']) {
      expect(flow(report, id)).toMatchObject({ expected: 'closed', actual: 'deny' });
    }
  });

  test('the deployer can apply every object of the manifest in its namespace, and nothing cluster-wide but its namespace', () => {
    const deployer = report.permissions.filter((p) => p.identity === 'deployer');
    expect(deployer.map((p) => p.action)).toEqual(expect.arrayContaining(['aks: namespaces/write', 'aks: apps/deployments/write', 'aks: networking.k8s.io/networkpolicies/write']));
    expect(deployer.every((p) => p.ok)).toBe(true);
    expect(deployer.some((p) => p.grantedBy.includes('Cluster Admin'))).toBe(false);
  });
});

test('the report reads like IP flow verify: expectation, verdict and the deciding rule per flow', () => {
  const text = formatReport(checkDeployment(prodPublic));
  expect(text).toMatch(/ok +internet-ingress-443 +a host on the Internet +the ingress +443 +open +allow +application routing NGINX .*allow-internet-web-ingress \(1010\)/);
  expect(text).toMatch(/ok +internet-ssh .* closed +deny +NSG aks-nsg on worker-node-subnet inbound: Deny by deny-all-inbound \(4096\)/);
  expect(text).toContain('prod: every flow, permission and write order holds.');
});

describe('the model fails, naming the flow or permission, when the deploy would', () => {
  test('the NSG drops public HTTPS (no allow above deny-all-inbound)', () => {
    const broken = mutate(prodPublic, (s) => {
      const [key] = byName(s['network-prod'], 'azurerm_network_security_rule', 'allow-internet-web-ingress');
      delete s['network-prod'].resource.azurerm_network_security_rule[key];
    });
    const report = checkDeployment(broken);
    expect(flow(report, 'internet-ingress-443')).toMatchObject({ ok: false, actual: 'deny', decidedBy: ['NSG aks-nsg on worker-node-subnet inbound: Deny by deny-all-inbound (4096)'] });
    expect(report.failures).toContainEqual(expect.stringMatching(/^flow internet-ingress-443 \(a host on the Internet -> the ingress :443\) should be open but is closed/));
  });

  test('the NetworkPolicy admits the ingress controller by ipBlock 0.0.0.0/0 (every request a 502 under Cilium)', () => {
    const broken = mutate(prodPublic, (_s, m) => {
      m.find((o) => o.kind === 'NetworkPolicy').spec.ingress = [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 5000, protocol: 'TCP' }] }];
    });
    const f = flow(checkDeployment(broken), 'ingress-controller-app');
    expect(f).toMatchObject({ ok: false, actual: 'deny' });
    expect(f.decidedBy[0]).toContain('ipBlock 0.0.0.0/0) covers 192.168.2.10 by address, but Cilium never applies ipBlock to pods');
  });

  test('the internal Service forwards between nodes (externalTrafficPolicy Cluster): clients arrive as a node address', () => {
    const broken = mutate(prodInternal, (_s, m) => {
      m.find((o) => o.kind === 'Service').spec.externalTrafficPolicy = 'Cluster';
    });
    const f = flow(checkDeployment(broken), 'internal-client-app');
    expect(f).toMatchObject({ ok: false, actual: 'deny' });
    expect(f.decidedBy[0]).toContain('never applies ipBlock to nodes');
  });

  test('the deployer loses its namespace role: every workload write is named', () => {
    const broken = mutate(dev, (s) => {
      const [key] = byName(s['platform-dev'], 'azurerm_role_assignment', 'deployer-namespace-writer');
      delete s['platform-dev'].resource.azurerm_role_assignment[key];
    });
    const failures = checkDeployment(broken).failures;
    expect(failures).toContainEqual(expect.stringMatching(/^permission: deployer cannot aks: apps\/deployments\/write on cluster terraform-aks-cluster-dev, namespace orders \(kubectl apply Deployment orders\/order-app\): nothing/));
    expect(failures).not.toContainEqual(expect.stringContaining('namespaces/write'));
  });

  test('no one is cluster-admin (the admin group without a role, as before)', () => {
    const broken = mutate(dev, (s) => {
      for (const id of ['admins-cluster-admin', 'admins-cluster-user']) {
        const [key] = byName(s['platform-dev'], 'azurerm_role_assignment', id);
        delete s['platform-dev'].resource.azurerm_role_assignment[key];
      }
    });
    expect(checkDeployment(broken).failures).toContainEqual(expect.stringContaining('permission: administrators cannot aks: rbac.authorization.k8s.io/clusterrolebindings/write'));
  });

  test('secrets are written right after the role assignment, without waiting for it to propagate', () => {
    const broken = mutate(dev, (s) => {
      const [role] = byName(s['platform-dev'], 'azurerm_role_assignment', 'deployer-secrets-officer');
      for (const secret of Object.values<any>(s['platform-dev'].resource.azurerm_key_vault_secret)) secret.depends_on = [`azurerm_role_assignment.${role}`];
    });
    const failures = checkDeployment(broken).failures;
    expect(failures).toContainEqual("ordering: write secret db-server must wait for the deployer's Key Vault Secrets Officer role (RBAC propagation): depends on it, but without a wait of a minute or more: the first write can answer 403");
  });

  test('the vault is open to the Internet', () => {
    const broken = mutate(dev, (s) => {
      Object.values<any>(s['platform-dev'].resource.azurerm_key_vault)[0].public_network_access_enabled = true;
    });
    expect(flow(checkDeployment(broken), 'internet-key-vault')).toMatchObject({ ok: false, actual: 'allow', decidedBy: ['Key Vault: public network access enabled'] });
  });

  test('the vault\'s private DNS zone is not linked to the VNet: its name would resolve to the closed public endpoint', () => {
    const broken = mutate(dev, (s) => {
      const [key] = byName(s['platform-dev'], 'azurerm_private_dns_zone_virtual_network_link', 'key-vault-private-dns-link');
      delete s['platform-dev'].resource.azurerm_private_dns_zone_virtual_network_link[key];
    });
    const report = checkDeployment(broken);
    expect(flow(report, 'app-key-vault')).toMatchObject({ ok: false, decidedBy: ["Key Vault's private DNS zone is not linked to aks-vnet: its name resolves to the public endpoint"] });
    expect(flow(report, 'deploy-agent-key-vault').ok).toBe(false);
  });

  test('the deploy agents\' NAT address is not on the API server\'s authorized ranges', () => {
    const broken = mutate(dev, (s) => {
      const cluster = Object.values<any>(s['platform-dev'].resource.azurerm_kubernetes_cluster)[0];
      cluster.api_server_access_profile.authorized_ip_ranges = ['148.252.158.53/32'];
    });
    expect(flow(checkDeployment(broken), 'deploy-agent-api-server')).toMatchObject({ ok: false, actual: 'deny' });
  });

  test('the app\'s Service becomes a public LoadBalancer (plain HTTP past the ingress)', () => {
    const broken = mutate(prodInternal, (_s, m) => {
      delete m.find((o) => o.kind === 'Service').metadata.annotations;
    });
    expect(flow(checkDeployment(broken), 'internet-app-service')).toMatchObject({ ok: false, actual: 'allow' });
  });

  test('the SQL Entra administrator is whoever deployed last (data.azurerm_client_config), not the configured group', () => {
    const broken = mutate(dev, (s) => {
      Object.values<any>(s['platform-dev'].resource.azurerm_mssql_server)[0].azuread_administrator.object_id = '${data.azurerm_client_config.client.object_id}';
    });
    expect(checkDeployment(broken).failures).toContainEqual(expect.stringContaining("permission: administrators cannot sql: Entra administrator (CREATE USER for the app identity) on SQL server orderplat-dev-sql"));
  });

  test('the app may reach any private address on 443 (egress without the private carve-out)', () => {
    const broken = mutate(dev, (_s, m) => {
      const egress = m.find((o) => o.kind === 'NetworkPolicy').spec.egress;
      delete egress[egress.length - 1].to[0].ipBlock.except;
    });
    expect(flow(checkDeployment(broken), 'app-private-https')).toMatchObject({ ok: false, actual: 'allow' });
  });
});
