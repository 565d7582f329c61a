import type { Order } from './order';
import { passesLuhn } from './order-validation';

/** Small, fast, seedable PRNG (mulberry32), so demo data is reproducible. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';
const STORE_PREFIXES = ['WEB', 'GB', 'DE', 'US', 'FR'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function uuidV4(rand: () => number): string {
  let s = '';
  for (let i = 0; i < 32; i++) {
    let n = Math.floor(rand() * 16);
    if (i === 12) n = 4;
    if (i === 16) n = 8 + (n & 3);
    s += HEX[n];
    if (i === 7 || i === 11 || i === 15 || i === 19) s += '-';
  }
  return s;
}

function digits(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 10);
  return s;
}

/** A card number of a realistic brand and length with a correct Luhn check digit. */
export function demoCardNumber(rand: () => number): string {
  const brand = rand();
  const [prefix, length] = brand < 0.5 ? ['4', 16] : brand < 0.85 ? [`5${1 + Math.floor(rand() * 5)}`, 16] : [rand() < 0.5 ? '34' : '37', 15];
  const body = prefix + digits(rand, length - prefix.length - 1);
  for (let check = 0; check < 10; check++) if (passesLuhn(body + check)) return body + check;
  throw new Error('unreachable: some check digit always satisfies Luhn');
}

const pad = (n: number): string => String(n).padStart(2, '0');
const isoDate = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

export interface DemoOrderOptions {
  /** PRNG seed. @default 42 */
  readonly seed?: number;
  /** Order dates fall in the `days` days up to `today`. @default 1095 */
  readonly days?: number;
  /** The latest order date. @default today (UTC) */
  readonly today?: Date;
}

/**
 * Generates realistic demo orders: about one user per 8 orders, 200 stores, 2,000
 * products, order dates over the last three years, shipping 0-9 days after the order.
 */
export function* demoOrders(count: number, options: DemoOrderOptions = {}): Generator<Order> {
  const rand = createRandom(options.seed ?? 42);
  const today = options.today ?? new Date();
  const days = options.days ?? 1095;
  const users = Array.from({ length: Math.max(1, Math.ceil(count / 8)) }, () => uuidV4(rand));
  const stores = Array.from(
    { length: 200 },
    (_, i) => `${STORE_PREFIXES[i % STORE_PREFIXES.length]}-${digits(rand, 7)}${LETTERS[Math.floor(rand() * 26)]}`,
  );
  const products = Array.from(
    { length: 2000 },
    () => `${LETTERS[Math.floor(rand() * 26)]}${Math.floor(rand() * 10)}-${digits(rand, 7)}${LETTERS[Math.floor(rand() * 26)]!.toLowerCase()}`,
  );
  const startMs = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (days - 1) * 86_400_000;
  for (let i = 0; i < count; i++) {
    const orderMs = startMs + Math.floor(rand() * days) * 86_400_000;
    const quantityRoll = rand();
    yield {
      dateUuid: uuidV4(rand),
      userId: users[Math.floor(rand() * users.length)]!,
      cardNumber: demoCardNumber(rand),
      storeCode: stores[Math.floor(rand() * stores.length)]!,
      productCode: products[Math.floor(rand() * products.length)]!,
      productQuantity: quantityRoll < 0.8 ? 1 + Math.floor(rand() * 5) : 1 + Math.floor(rand() * 100),
      orderDate: isoDate(new Date(orderMs)),
      shippingDate: isoDate(new Date(orderMs + Math.floor(rand() * 10) * 86_400_000)),
    };
  }
}
