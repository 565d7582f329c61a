import { AppContract } from '../../app/src/app-contract';
import { checkDeployment, type DeploymentReport } from '../check-deployment';
import { deploymentFacts, type DeployArtifacts } from '../deployment';
import { formatReport } from '../report';
import { synthesizeDeployment } from '../synthesize';
import { TerraformModel, type StackJson } from '../terraform-model';

import { DEPLOY_ENV } from './fixtures';
const PUBLIC_ENV = {
  ...DEPLOY_ENV,
  PUBLIC_HOST_PROD: 'orders.shop.example',
  OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant/v2.0',
  OIDC_CLIENT_ID_PROD: 'client-1',
};

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
const byName = (stack: any, type: string, id: string): [string, any] =>
  Object.entries(stack.resource[type]).find(([k]) => k.includes(id)) as [string, any];
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

  test("the staff's way in matches the exposure, and the app is never reachable from the Internet but through HTTPS", () => {
    const ids = report.flows.filter((f) => f.expected === 'open').map((f) => f.id);
    const exposure = artifacts.config.exposure.mode;
    expect(ids.includes('internet-ingress-443')).toBe(exposure === 'public');
    expect(ids.includes('internal-client-app')).toBe(exposure === 'internal');
    for (const id of ['internet-app-port', 'internet-app-service', 'internet-ssh', 'internet-sql', 'internet-key-vault', 'other-namespace-app']) {
      expect(flow(report, id)).toMatchObject({ expected: 'closed', actual: 'deny' });
    }
  });

  test('the vault secret the pod reads its traces destination from is one the platform stack writes', () => {
    const container = (artifacts.manifests.find((m) => m.kind === 'Deployment') as any).spec.template.spec.containers[0];
    const named = container.env.find((e: any) => e.name === AppContract.env.secretNameAppInsightsConnectionString).value;
    const written = artifacts.terraform.resources('azurerm_key_vault_secret', [deploymentFacts(artifacts).platformStack]).map((s) => s.values.name);
    expect(written).toContain(named);
  });

  test("Managed Prometheus's agent scrapes the app's metrics port; look-alikes elsewhere and kube-system's other pods do not", () => {
    expect(flow(report, 'metrics-agent-app')).toMatchObject({ expected: 'open', actual: 'allow', port: '5000' });
    expect(flow(report, 'metrics-agent-app').decidedBy.join(' ')).toContain('PodMonitor orders/order-app scrapes /metrics on port http (5000)');
    for (const id of ['metrics-lookalike-app', 'other-namespace-app', 'kube-system-app']) {
      expect(flow(report, id)).toMatchObject({ expected: 'closed', actual: 'deny' });
    }
  });

  test('the deployer can apply every object of the manifest in its namespace, and nothing cluster-wide but its namespace', () => {
    const deployer = report.permissions.filter((p) => p.identity === 'deployer');
    expect(deployer.map((p) => p.action)).toEqual(
      expect.arrayContaining(['aks: namespaces/write', 'aks: apps/deployments/write', 'aks: networking.k8s.io/networkpolicies/write']),
    );
    expect(deployer.every((p) => p.ok)).toBe(true);
    expect(deployer.some((p) => p.grantedBy.includes('Cluster Admin'))).toBe(false);
  });
});

test('the report reads like IP flow verify: expectation, verdict and the deciding rule per flow', () => {
  const text = formatReport(checkDeployment(prodPublic));
  expect(text).toMatch(
    new RegExp(
      'ok +internet-ingress-443 +a host on the Internet +the ingress +443 +open +allow +' +
        'application routing NGINX .*allow-internet-web-ingress \\(1010\\)',
    ),
  );
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
    expect(flow(report, 'internet-ingress-443')).toMatchObject({
      ok: false,
      actual: 'deny',
      decidedBy: ['NSG aks-nsg on worker-node-subnet inbound: Deny by deny-all-inbound (4096)'],
    });
    expect(report.failures).toContainEqual(
      expect.stringMatching(/^flow internet-ingress-443 \(a host on the Internet -> the ingress :443\) should be open but is closed/),
    );
  });

  test('the NetworkPolicy admits the ingress controller by ipBlock 0.0.0.0/0 (every request a 502 under Cilium)', () => {
    const broken = mutate(prodPublic, (_s, m) => {
      m.find((o) => o.kind === 'NetworkPolicy').spec.ingress = [
        { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 5000, protocol: 'TCP' }] },
      ];
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

  test('the deployer loses its namespace roles: every workload write is named', () => {
    const broken = mutate(dev, (s) => {
      for (const name of ['deployer-namespace-writer', 'deployer-custom-resource-writer']) {
        const [key] = byName(s['platform-dev'], 'azurerm_role_assignment', name);
        delete s['platform-dev'].resource.azurerm_role_assignment[key];
      }
    });
    const failures = checkDeployment(broken).failures;
    expect(failures).toContainEqual(
      expect.stringMatching(
        new RegExp(
          '^permission: deployer cannot aks: apps/deployments/write on cluster terraform-aks-cluster-dev, ' +
            'namespace orders \\(kubectl apply Deployment orders/order-app\\): nothing',
        ),
      ),
    );
    expect(failures).not.toContainEqual(expect.stringContaining('namespaces/write'));
    expect(failures).toContainEqual(expect.stringContaining('azmonitoring.coreos.com/podmonitors/write'));
  });

  test('without the custom-resource role the PodMonitor cannot be applied, and RBAC Writer alone does not cover it', () => {
    const broken = mutate(dev, (s) => {
      const [key] = byName(s['platform-dev'], 'azurerm_role_assignment', 'deployer-custom-resource-writer');
      delete s['platform-dev'].resource.azurerm_role_assignment[key];
    });
    expect(checkDeployment(broken).failures).toEqual([
      expect.stringMatching(
        /^permission: deployer cannot aks: azmonitoring\.coreos\.com\/podmonitors\/write on cluster terraform-aks-cluster-dev, namespace orders/,
      ),
    ]);
  });

  test('the custom-resource role never lets the deployer write role bindings in its namespace', () => {
    const broken = mutate(dev, (s) => {
      const role = Object.values<any>(platformOf(s).resource.azurerm_role_definition).find((r) => r.name.includes('custom-resource-writer'));
      delete role.permissions[0].not_data_actions;
    });
    expect(checkDeployment(broken).failures).toContainEqual(expect.stringContaining('rolebindings/write'));
  });

  test('no one is cluster-admin (the admin group without a role or an AKS admin group, as before)', () => {
    const broken = mutate(dev, (s) => {
      for (const id of ['admins-cluster-admin', 'admins-cluster-user']) {
        const [key] = byName(s['platform-dev'], 'azurerm_role_assignment', id);
        delete s['platform-dev'].resource.azurerm_role_assignment[key];
      }
      Object.values<any>(
        s['platform-dev'].resource.azurerm_kubernetes_cluster,
      )[0].azure_active_directory_role_based_access_control.admin_group_object_ids = [];
    });
    expect(checkDeployment(broken).failures).toContainEqual(
      expect.stringContaining('permission: administrators cannot aks: rbac.authorization.k8s.io/clusterrolebindings/write'),
    );
  });

  test('secrets are written right after the role assignment, without waiting for it to propagate', () => {
    const broken = mutate(dev, (s) => {
      const [role] = byName(s['platform-dev'], 'azurerm_role_assignment', 'deployer-secrets-officer');
      for (const secret of Object.values<any>(s['platform-dev'].resource.azurerm_key_vault_secret))
        secret.depends_on = [`azurerm_role_assignment.${role}`];
    });
    const failures = checkDeployment(broken).failures;
    expect(failures).toContainEqual(
      "ordering: write secret db-server must wait for the deployer's Key Vault Secrets Officer role (RBAC propagation): " +
        'depends on it, but without a wait of a minute or more: the first write can answer 403',
    );
  });

  test('the vault is open to the Internet', () => {
    const broken = mutate(dev, (s) => {
      Object.values<any>(s['platform-dev'].resource.azurerm_key_vault)[0].public_network_access_enabled = true;
    });
    expect(flow(checkDeployment(broken), 'internet-key-vault')).toMatchObject({
      ok: false,
      actual: 'allow',
      decidedBy: ['Key Vault: public network access enabled'],
    });
  });

  test("the vault's private DNS zone is not linked to the VNet: its name would resolve to the closed public endpoint", () => {
    const broken = mutate(dev, (s) => {
      const [key] = byName(s['platform-dev'], 'azurerm_private_dns_zone_virtual_network_link', 'key-vault-private-dns-link');
      delete s['platform-dev'].resource.azurerm_private_dns_zone_virtual_network_link[key];
    });
    const report = checkDeployment(broken);
    expect(flow(report, 'app-key-vault')).toMatchObject({
      ok: false,
      decidedBy: ["Key Vault's private DNS zone is not linked to aks-vnet: its name resolves to the public endpoint"],
    });
    expect(flow(report, 'deploy-agent-key-vault').ok).toBe(false);
  });

  test("the deploy agents' NAT address is not on the API server's authorized ranges", () => {
    const broken = mutate(dev, (s) => {
      const cluster = Object.values<any>(s['platform-dev'].resource.azurerm_kubernetes_cluster)[0];
      cluster.api_server_access_profile.authorized_ip_ranges = ['148.252.158.53/32'];
    });
    expect(flow(checkDeployment(broken), 'deploy-agent-api-server')).toMatchObject({ ok: false, actual: 'deny' });
  });

  test("the app's Service becomes a public LoadBalancer (plain HTTP past the ingress)", () => {
    const broken = mutate(prodInternal, (_s, m) => {
      delete m.find((o) => o.kind === 'Service').metadata.annotations;
    });
    expect(flow(checkDeployment(broken), 'internet-app-service')).toMatchObject({ ok: false, actual: 'allow' });
  });

  test('the SQL Entra administrator is whoever deployed last (data.azurerm_client_config), not the configured group', () => {
    const broken = mutate(dev, (s) => {
      Object.values<any>(s['platform-dev'].resource.azurerm_mssql_server)[0].azuread_administrator.object_id =
        '${data.azurerm_client_config.client.object_id}';
    });
    expect(checkDeployment(broken).failures).toContainEqual(
      expect.stringContaining(
        'permission: SQL administrators cannot sql: Entra administrator (CREATE USER for the app identity) on SQL server orderplat-dev-sql',
      ),
    );
  });

  test('the app may reach any private address on 443 (egress without the private carve-out)', () => {
    const broken = mutate(dev, (_s, m) => {
      const egress = m.find((o) => o.kind === 'NetworkPolicy').spec.egress;
      delete egress[egress.length - 1].to[0].ipBlock.except;
    });
    expect(flow(checkDeployment(broken), 'app-private-https')).toMatchObject({ ok: false, actual: 'allow' });
  });

  const rule = (stack: any, id: string) => byName(stack, 'azurerm_network_security_rule', id)[1];
  const platformOf = (st: any) => st[Object.keys(st).find((k) => k.startsWith('platform-'))!];
  const networkOf = (st: any) => st[Object.keys(st).find((k) => k.startsWith('network-'))!];
  const netpol = (m: any[]) => m.find((o) => o.kind === 'NetworkPolicy').spec;
  const roleOf = (st: any, id: string) => byName(platformOf(st), 'azurerm_role_assignment', id)[1];

  test.each<[string, DeployArtifacts, (st: any, m: any[]) => void, string]>([
    [
      'the inbound overlay rule is gone: the subnet NSG drops pod traffic between nodes (DNS, ingress)',
      prodPublic,
      (st) => {
        const rules = networkOf(st).resource.azurerm_network_security_rule;
        delete rules[Object.keys(rules).find((k) => rules[k].name === 'allow-cluster-overlay')!];
      },
      'flow app-dns (pod orders/order-app -> pod kube-system/coredns :53/udp) should be open but is closed: ' +
        'NSG aks-nsg on worker-node-subnet inbound: Deny by deny-all-inbound (4096)',
    ],
    [
      'the outbound overlay rule is gone',
      prodPublic,
      (st) => {
        const rules = networkOf(st).resource.azurerm_network_security_rule;
        delete rules[Object.keys(rules).find((k) => rules[k].name === 'allow-cluster-overlay-out')!];
      },
      'flow ingress-controller-app (pod app-routing-system/nginx -> pod orders/order-app :5000) should be open but is closed: ' +
        'NSG aks-nsg on worker-node-subnet outbound: Deny by DenyAllOutBound (65500, default rule)',
    ],
    [
      'the web rule only admits source port 443 (clients use ephemeral ports)',
      prodPublic,
      (st) => {
        rule(networkOf(st), 'allow-internet-web-ingress').source_port_range = '443';
      },
      'flow internet-ingress-443',
    ],
    [
      'an outbound deny to a service tag the model cannot resolve (AzureActiveDirectory) is assumed to match',
      dev,
      (st) => {
        Object.assign(rule(networkOf(st), 'deny-all-inbound'), {});
        networkOf(st).resource.azurerm_network_security_rule.block_entra = {
          ...rule(networkOf(st), 'deny-all-inbound'),
          name: 'block-entra',
          direction: 'Outbound',
          priority: 100,
          destination_address_prefix: 'AzureActiveDirectory',
        };
      },
      'flow app-entra-id',
    ],
    [
      'the vault uses access policies: its role assignments do not apply',
      dev,
      (st) => {
        Object.values<any>(platformOf(st).resource.azurerm_key_vault)[0].rbac_authorization_enabled = false;
      },
      'rbac_authorization_enabled is not true',
    ],
    [
      'Azure RBAC for Kubernetes is off: the namespace roles do not apply',
      dev,
      (st) => {
        Object.values<any>(
          platformOf(st).resource.azurerm_kubernetes_cluster,
        )[0].azure_active_directory_role_based_access_control.azure_rbac_enabled = false;
      },
      'permission: deployer cannot aks: apps/deployments/write on cluster terraform-aks-cluster-dev, namespace orders ' +
        '(kubectl apply Deployment orders/order-app): ' +
        'nothing: Azure RBAC for Kubernetes is off',
    ],
    [
      'no network policy engine: NetworkPolicies are not enforced',
      dev,
      (st) => {
        delete Object.values<any>(platformOf(st).resource.azurerm_kubernetes_cluster)[0].network_profile.network_policy;
      },
      'flow other-namespace-app (a pod in namespace default -> pod orders/order-app :5000) should be closed but is open: ' +
        'the cluster has no network policy engine',
    ],
    [
      'local accounts are on',
      dev,
      (st) => {
        Object.values<any>(platformOf(st).resource.azurerm_kubernetes_cluster)[0].local_account_disabled = false;
      },
      'must not aks: a static admin kubeconfig (local accounts)',
    ],
    [
      'a role assignment declares the wrong principal type',
      dev,
      (st) => {
        roleOf(st, 'deployer-secrets-officer').principal_type = 'User';
      },
      'declares principal_type User for a ServicePrincipal: Azure rejects it',
    ],
    [
      'a role assignment carries an ABAC condition',
      dev,
      (st) => {
        roleOf(st, 'deployer-secrets-officer').condition = "((!(ActionMatches{'Microsoft.KeyVault/vaults/secrets/setSecret/action'})))";
        roleOf(st, 'deployer-secrets-officer').condition_version = '2.0';
      },
      'carries an ABAC condition',
    ],
    [
      'the deployer writes cluster-wide',
      dev,
      (st) => {
        roleOf(st, 'deployer-namespace-writer').scope = roleOf(st, 'deployer-namespace-writer').scope.replace('/namespaces/orders', '');
      },
      'permission: deployer must not aks: apps/deployments/write on cluster terraform-aks-cluster-dev, namespace kube-system',
    ],
    [
      'the deployer is cluster-admin',
      dev,
      (st) => {
        roleOf(st, 'deployer-namespace-writer').role_definition_name = 'Azure Kubernetes Service RBAC Cluster Admin';
        roleOf(st, 'deployer-namespace-writer').scope = roleOf(st, 'deployer-namespace-writer').scope.replace('/namespaces/orders', '');
      },
      'deployer must not aks: rbac.authorization.k8s.io/clusterrolebindings/write',
    ],
    [
      'the app may write its own secrets',
      dev,
      (st) => {
        roleOf(st, 'app-secrets-user').role_definition_name = 'Key Vault Secrets Officer';
      },
      'must not keyvault: secrets/setSecret/action',
    ],
    [
      'the Ingress names a class nobody serves',
      prodPublic,
      (_st, m) => {
        m.find((o) => o.kind === 'Ingress').spec.ingressClassName = 'nginx';
      },
      'Ingress class nginx is not served by the application routing add-on',
    ],
    [
      'the Ingress has no TLS: NGINX would serve its fake certificate',
      prodPublic,
      (_st, m) => {
        delete m.find((o) => o.kind === 'Ingress').spec.tls;
      },
      'Ingress has no TLS certificate for orders.shop.example',
    ],
    [
      'the Ingress routes everything, probes and /metrics included',
      prodPublic,
      (_st, m) => {
        m.find((o) => o.kind === 'Ingress').spec.rules[0].http.paths.push({
          path: '/',
          pathType: 'Prefix',
          backend: { service: { name: 'order-app', port: { number: 80 } } },
        });
      },
      'flow internet-metrics',
    ],
    [
      'the NetworkPolicy drops the metrics agent',
      dev,
      (_st, m) => {
        netpol(m).ingress = netpol(m).ingress.filter((r: any) => !JSON.stringify(r.from).includes('ama-metrics'));
      },
      'flow metrics-agent-app (pod kube-system/ama-metrics -> pod orders/order-app :5000) should be open but is closed: ' +
        'NetworkPolicy orders/order-app isolates pod orders/order-app and no ingress rule admits pod kube-system/ama-metrics on TCP/5000',
    ],
    [
      "the PodMonitor names a port the pods don't have",
      prodInternal,
      (_st, m) => {
        m.find((o) => o.kind === 'PodMonitor').spec.podMetricsEndpoints[0].port = 'metrics';
      },
      'scrapes port metrics, which no container of the pods names',
    ],
    [
      "the PodMonitor is the Prometheus operator's, which the add-on ignores",
      prodPublic,
      (_st, m) => {
        m.find((o) => o.kind === 'PodMonitor').apiVersion = 'monitoring.coreos.com/v1';
      },
      'the metrics add-on reads only azmonitoring.coreos.com/v1',
    ],
    [
      'the Service targets a port the pods do not listen on',
      prodInternal,
      (_st, m) => {
        m.find((o) => o.kind === 'Service').spec.ports[0].targetPort = 8080;
      },
      'targets 8080, which no container of the pods listens on',
    ],
    [
      'the pods lack the workload identity label',
      dev,
      (_st, m) => {
        delete m.find((o) => o.kind === 'Deployment').spec.template.metadata.labels['azure.workload.identity/use'];
      },
      'no token is injected',
    ],
    [
      'the federated credential trusts another ServiceAccount',
      dev,
      (st) => {
        Object.values<any>(platformOf(st).resource.azurerm_federated_identity_credential)[0].subject = 'system:serviceaccount:orders:default';
      },
      'no federated credential of the app identity trusts system:serviceaccount:orders:order-app',
    ],
    [
      'ingress from every namespace but default',
      prodPublic,
      (_st, m) => {
        netpol(m).ingress = [
          {
            from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['default'] }] } }],
            ports: [{ port: 5000, protocol: 'TCP' }],
          },
        ];
      },
      'flow kube-system-app',
    ],
    [
      'ingress from NGINX-labelled pods of any namespace',
      prodPublic,
      (_st, m) => {
        netpol(m).ingress = [
          { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'nginx' } } }], ports: [{ port: 5000, protocol: 'TCP' }] },
        ];
      },
      'flow nginx-lookalike-app',
    ],
    [
      'egress on 443 to every private range but the deploy agents',
      dev,
      (_st, m) => {
        netpol(m).egress.push({ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.10.4.0/24'] } }], ports: [{ port: 443, protocol: 'TCP' }] });
      },
      'flow app-private-https-10.99.0.4',
    ],
    [
      'egress to the Internet on every high port',
      dev,
      (_st, m) => {
        netpol(m).egress.push({
          to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
          ports: [{ port: 1024, endPort: 65535, protocol: 'TCP' }],
        });
      },
      'flow app-internet-high-port',
    ],
    [
      "the secrets do not wait for the vault's DNS zone link",
      dev,
      (st) => {
        const sleep = Object.values<any>(platformOf(st).resource.time_sleep)[0];
        sleep.depends_on = sleep.depends_on.filter((d: string) => !d.includes('private-dns-link'));
      },
      "must wait for the vault's private DNS zone linked to the VNet",
    ],
  ])('%s', (_name, artifacts, edit, failure) => {
    expect(checkDeployment(mutate(artifacts, edit)).failures).toContainEqual(expect.stringContaining(failure));
  });

  test.each<[string, DeployArtifacts, (st: any, m: any[]) => void]>([
    [
      'a named port in the NetworkPolicy',
      prodPublic,
      (_st, m) => {
        netpol(m).ingress[0].ports = [{ port: 'http', protocol: 'TCP' }];
      },
    ],
    [
      "policyTypes left to the API server's default",
      dev,
      (_st, m) => {
        delete netpol(m).policyTypes;
      },
    ],
    [
      'a wait written as a Go duration of 1m30s',
      dev,
      (st) => {
        Object.values<any>(platformOf(st).resource.time_sleep)[0].create_duration = '1m30s';
      },
    ],
  ])('a correct variant passes too: %s', (_name, artifacts, edit) => {
    expect(checkDeployment(mutate(artifacts, edit)).failures).toEqual([]);
  });
});
