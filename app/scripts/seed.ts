/**
 * Fills the SQLite database with realistic demo orders.
 *   npm run seed -- --count 1000000 [--file ./data/orders.db] [--seed 42]
 * The file defaults to the app's own (SQLITE_PATH, else ./data/orders.db). Existing orders
 * are kept; generated ones that collide with them are skipped.
 */
import { loadConfig, settings } from '../src/config';
import { demoOrders } from '../src/domain/demo-orders';
import { SqliteOrderStore } from '../src/store/sqlite-order-store';
import { parseArgs, wholeNumber } from '../../lib/cli-args';

const FLAGS = { count: 'how many orders, 1 to 10000000', file: 'SQLite file', seed: 'random seed, a whole number' };

/** A one-line progress bar on a terminal; a line every 10 % otherwise (CI logs). */
function progressBar(total: number): (done: number) => void {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return (done) => {
    const ratio = total === 0 ? 1 : done / total;
    const secs = (performance.now() - started) / 1000;
    const rate = done / Math.max(secs, 0.001);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const text =
      `${(ratio * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} orders, ` +
      `${Math.round(rate).toLocaleString('en-GB')}/s, ${secs.toFixed(1)} s elapsed, ~${eta.toFixed(0)} s left`;
    if (tty) {
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}   `);
      if (done >= total) process.stderr.write('\n');
    } else if (Math.floor(ratio * 10) > lastDecile) {
      lastDecile = Math.floor(ratio * 10);
      process.stderr.write(`${text}\n`);
    }
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    process.stdout.write(
      `Usage: npm run seed -- ${Object.entries(FLAGS)
        .map(([k, v]) => `[--${k} <${v}>]`)
        .join(' ')}\n`,
    );
    return;
  }
  const count = wholeNumber('count', args.count, 1, 10_000_000, 10_000);
  const seed = wholeNumber('seed', args.seed, 0, 2 ** 31, Date.now() % 2 ** 31);
  const config = loadConfig();
  if (!args.file && config.database.driver !== 'sqlite')
    throw new Error('The seed script fills SQLite only; DATABASE_DRIVER is mssql. Pass --file to seed a SQLite file.');
  const file = args.file ?? (config.database.driver === 'sqlite' ? config.database.file : settings.sqlitePath.default);

  const store = new SqliteOrderStore({ file });
  await store.migrate();
  const bar = progressBar(count);
  bar(0);
  const started = performance.now();
  const inserted = await store.bulkLoad(demoOrders(count, { seed }), bar);
  await store.close();
  process.stderr.write(
    `Inserted ${inserted.toLocaleString('en-GB')} orders into ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s (indexes rebuilt).\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`seed: ${err.message}\n`);
  process.exit(2);
});
