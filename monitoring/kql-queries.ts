import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppContract } from '../app/src/app-contract';

/** Where the `.kql` files live: `cluster/` (the seed's queries), `app/` (the app's own), `alerts/` (what log alerts run). */
export const QUERY_DIR = join(__dirname, 'queries');

/** One saved KQL query. */
export interface KqlQuery {
  /** Path below `queries/` without `.kql`, e.g. `cluster/node-cpu-percent-per-minute`. */
  readonly id: string;
  /** `cluster`, `app` or `alerts`. */
  readonly group: string;
  /** The file's first comment line. */
  readonly title: string;
  /** The file's second comment line (and any further leading comment lines). */
  readonly description: string;
  /** The query with its placeholders filled in. */
  readonly text: string;
}

/** Values the `{{name}}` placeholders in the `.kql` files take: names from `AppContract`. */
export const QUERY_VARIABLES: Readonly<Record<string, string>> = {
  namespace: AppContract.kubernetes.namespace,
  appName: AppContract.appName,
};

/** Fills `{{name}}` placeholders; an unknown name is an error naming the file and the placeholder. */
export function renderQuery(text: string, source: string, vars: Readonly<Record<string, string>> = QUERY_VARIABLES): string {
  return text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${source}: unknown placeholder {{${name}}}; known: ${Object.keys(vars).join(', ')}`);
    return value;
  });
}

/** Reads one query file; the first comment line is its title. */
export function loadQuery(id: string, dir = QUERY_DIR): KqlQuery {
  const source = `${id}.kql`;
  const raw = readFileSync(join(dir, source), 'utf8');
  const comments: string[] = [];
  for (const line of raw.split('\n')) {
    const m = /^\/\/\s?(.*)$/.exec(line.trim());
    if (!m) break;
    comments.push(m[1]!.trim());
  }
  if (comments.length === 0 || comments[0] === '') throw new Error(`${source}: must start with a "// <title>" comment line`);
  return { id, group: id.split('/')[0]!, title: comments[0]!, description: comments.slice(1).join(' '), text: renderQuery(raw.trim(), source) };
}

/** Every query file below `dir`, in a stable order. */
export function loadQueries(dir = QUERY_DIR): KqlQuery[] {
  const ids: string[] = [];
  for (const group of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, group)).sort()) {
      if (file.endsWith('.kql')) ids.push(`${group}/${file.slice(0, -'.kql'.length)}`);
    }
  }
  return ids.map((id) => loadQuery(id, dir));
}
