/**
 * Writes the configuration reference, docs/configuration.md, from the schema in
 * app/src/config.ts. Run after changing a setting:
 *
 *   npm run docs:config
 *
 * Only the table between the generated markers is replaced; the text around it is kept.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_DOCS_FILE, renderConfigDocs } from './config-docs';

const file = path.resolve(__dirname, '..', '..', CONFIG_DOCS_FILE);
const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
const next = renderConfigDocs(current);
if (next === current) {
  process.stdout.write(`${CONFIG_DOCS_FILE} is up to date.\n`);
} else {
  writeFileSync(file, next);
  process.stdout.write(`Wrote ${CONFIG_DOCS_FILE}.\n`);
}
