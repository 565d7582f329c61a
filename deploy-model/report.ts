import type { DeploymentReport } from './check-deployment';

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.min(72, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * The report as an operator reads it, like Network Watcher's IP flow verify: one line per
 * flow with the expectation, the verdict and the rule that decided it; one line per
 * permission with the role assignment that grants it; one per ordered write.
 */
export function formatReport(r: DeploymentReport): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  const flows = table(
    ['', 'flow', 'from', 'to', 'port', 'expected', 'verdict', 'decided by'],
    r.flows.map((f) => [mark(f.ok), f.id, f.from, f.to, f.port, f.expected, f.actual, f.decidedBy.join(' | ')]),
  );
  const permissions = table(
    ['', 'identity', 'action', 'scope', 'expected', 'why', 'granted by'],
    r.permissions.map((p) => [mark(p.ok), p.identity, p.action, p.scope, p.expected, p.neededFor, p.grantedBy]),
  );
  const ordering = table(
    ['', 'data-plane write', 'waits for', 'how'],
    r.ordering.map((o) => [mark(o.ok), o.what, o.waitsFor, o.detail]),
  );
  const summary =
    r.failures.length === 0
      ? `${r.env}: every flow, permission and write order holds.`
      : `${r.env}: ${r.failures.length} problem(s):\n${r.failures.map((f) => `  - ${f}`).join('\n')}`;
  return [
    `# Network flows (${r.env})`,
    flows,
    '',
    `# Permissions (${r.env})`,
    permissions,
    '',
    `# Data-plane writes (${r.env})`,
    ordering,
    '',
    summary,
    '',
  ].join('\n');
}
