/**
 * Times a full synth of every stack for every environment (what `cdktf synth` runs), and
 * reports wall time and peak memory.   npm run bench:synth [-- --runs 5]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, wholeNumber } from '../../lib/cli-args';

const ROOT = path.resolve(__dirname, '..', '..');

function run(args: string[], env: NodeJS.ProcessEnv): { ms: number; maxRssMb: number | undefined; stacks: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  const started = performance.now();
  const r = spawnSync(args[0]!, args.slice(1), { cwd: ROOT, env: { ...process.env, ...env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`synth failed (${r.status}):\n${r.stderr}`);
  const rss = /maxRSS_KB=(\d+)/.exec(r.stderr);
  const stacks = fs.existsSync(path.join(outdir, 'stacks')) ? fs.readdirSync(path.join(outdir, 'stacks')).length : 0;
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ms, maxRssMb: rss ? Number(rss[1]) / 1024 : undefined, stacks };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const args = parseArgs(process.argv.slice(2), { runs: 'how many runs' });
  const runs = wholeNumber('runs', args.runs, 1, 50, 5);
  const synth = [process.execPath, '--require', path.join(ROOT, 'infra/scripts/report-rss.cjs'), '--import', 'tsx', path.join(ROOT, 'infra/main.ts')];
  const results = Array.from({ length: runs }, () => run(synth, {}));
  const rootImport = Array.from({ length: Math.min(runs, 3) }, () =>
    run([process.execPath, '--require', path.join(ROOT, 'infra/scripts/report-rss.cjs'), '-e', "require('@cdktf/provider-azurerm')"], {}),
  );
  const line = (name: string, rs: typeof results): string =>
    `| ${name} | ${median(rs.map((r) => r.ms)).toFixed(0)} | ${median(rs.map((r) => r.maxRssMb ?? 0)).toFixed(0)} |`;
  process.stdout.write(
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; median of ${runs} runs; ${results[0]!.stacks} stacks\n\n`,
  );
  process.stdout.write('| what | wall ms | peak RSS MB |\n|---|---:|---:|\n');
  process.stdout.write(`${line('synth every stack, every environment (tsx infra/main.ts)', results)}\n`);
  process.stdout.write(`${line('for comparison: require the provider package root only', rootImport)}\n`);
}

main();
