import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '../..');

const markdownFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
const DOCS = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

/** Lines outside fenced code blocks, with inline code removed. */
function proseLines(file: string): { line: number; text: string }[] {
  let fenced = false;
  const out: { line: number; text: string }[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
      else if (!fenced) out.push({ line: i + 1, text: text.replace(/`[^`]*`/g, '') });
    });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, -1, -2 for repeats. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const slug = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

interface Link {
  readonly from: string;
  readonly href: string;
  readonly target: string;
  readonly anchor?: string;
}

const links: Link[] = DOCS.flatMap((file) =>
  proseLines(file).flatMap(({ line, text }) =>
    [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((m) => m[1]!)
      .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href))
      .map((href) => {
        const [path, anchor] = href.split('#');
        return { from: `${relative(ROOT, file)}:${line}`, href, target: path ? resolve(dirname(file), decodeURI(path)) : file, anchor };
      }),
  ),
);

test('README.md and docs/ link to each other', () => {
  expect(links.length).toBeGreaterThan(50);
  expect(links.some((l) => l.target.startsWith(join(ROOT, 'docs', 'adr')))).toBe(true);
});

test('every relative link in README.md and docs/ points to a file that exists', () => {
  const broken = links.filter((l) => !existsSync(l.target));
  expect(broken.map((l) => `${l.from} ${l.href}`)).toEqual([]);
});

test('every #anchor in those links names a heading of its target', () => {
  const broken = links.filter((l) => l.anchor && l.target.endsWith('.md') && existsSync(l.target) && !anchorsOf(l.target).has(l.anchor));
  expect(broken.map((l) => `${l.from} ${l.href}`)).toEqual([]);
});

test('the README is a front door: at most 200 lines, what it deploys first, then npm start and npm test, then synth and deploy', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  const order = ['## What it deploys', 'npm start', 'npm test', '## Synth and deploy', '## Configuration'].map((s) => readme.indexOf(s));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});

test('README.md and docs/ name no tracker issues', () => {
  const mentions = DOCS.flatMap((file) =>
    proseLines(file)
      .filter(({ text }) => /\bissues? *(#?\d|\d)|\(issues?\b/i.test(text))
      .map(({ line, text }) => `${relative(ROOT, file)}:${line} ${text.trim()}`),
  );
  expect(mentions).toEqual([]);
});
