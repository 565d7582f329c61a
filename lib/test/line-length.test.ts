/**
 * Keeps tracked source lines (.ts, .js, .mjs, .cjs) at 150 characters or fewer, prettier's printWidth here.
 * Prettier cannot break long string literals, template literals, regexes or comments, so this test does.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const MAX = 150;

function longLines(): string[] {
  const files = execFileSync('git', ['ls-files', '-z', '*.ts', '*.js', '*.mjs', '*.cjs'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  const found: string[] = [];
  for (const file of files) {
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.length > MAX) found.push(`${file}:${i + 1}`);
      });
  }
  return found.sort();
}

test('no tracked source line is longer than 150 characters', () => {
  expect(longLines()).toEqual([]);
});
