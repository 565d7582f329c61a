import fc from 'fast-check';
import { isCalendarDate, isUuid, latestToday, passesLuhn, validateOrder } from '../src/domain/order-validation';
import { NOW, validOrder } from './helpers';
// The browser's copy of the rules (plain JS, also loaded by the form page).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const client = require('../public/order-form.js') as { validate: (v: Record<string, string>, now: Date) => Record<string, string> };

const asForm = (o: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

test('accepts a valid order and normalises it', () => {
  const result = validateOrder(
    asForm({ ...validOrder(), dateUuid: ' 1B9D6BCD-BBFD-4B2D-9B5D-AB8DFBBD4BED ', cardNumber: '4111 1111-1111 1111', userId: '  u1 ' }),
    'form',
    NOW,
  );
  expect(result).toEqual({ ok: true, value: validOrder({ userId: 'u1' }) });
});

const REQUIRED = {
  dateUuid: 'Date UUID is required.',
  userId: 'User ID is required.',
  cardNumber: 'Card Number is required.',
  storeCode: 'Store Code is required.',
  productCode: 'Product Code is required.',
  productQuantity: 'Product Quantity is required.',
  orderDate: 'Order Date is required.',
  shippingDate: 'Shipping Date is required.',
};

test.each([
  ['missing', {}, 'json'],
  ['null', Object.fromEntries(Object.keys(REQUIRED).map((k) => [k, null])), 'json'],
  ['empty or blank', Object.fromEntries(Object.keys(REQUIRED).map((k) => [k, ' '])), 'form'],
] as const)('requires every field, naming each, when they are %s', (_name, input, source) => {
  expect(validateOrder(input, source, NOW)).toEqual({ ok: false, errors: REQUIRED });
});

test('a text field that is not a string is named as such', () => {
  const r = validateOrder({ ...validOrder(), dateUuid: 7, userId: true, orderDate: 20260601 }, 'json', NOW);
  expect(r).toEqual({
    ok: false,
    errors: { dateUuid: 'Date UUID must be a string.', userId: 'User ID must be a string.', orderDate: 'Order Date must be a string.' },
  });
});

test('rejects unknown fields, naming the first five, each cut to 40 characters', () => {
  const r1 = validateOrder({ ...validOrder(), isAdmin: true }, 'json', NOW);
  expect(r1).toEqual({ ok: false, errors: { body: 'Unknown field: "isAdmin".' } });
  const long = 'k'.repeat(50);
  const r2 = validateOrder({ ...validOrder(), [long]: 1, a: 1, b: 1, c: 1, d: 1, e: 1 }, 'json', NOW);
  expect(r2).toEqual({ ok: false, errors: { body: `Unknown fields: "${'k'.repeat(40)}", "a", "b", "c", "d".` } });
});

test.each([null, [], 'x', 42])('rejects a body that is not an object (%j)', (body) => {
  expect(validateOrder(body, 'json', NOW)).toEqual({ ok: false, errors: { body: 'The request body must be an object with the order fields.' } });
});

test('rejects wrong JSON types', () => {
  const r = validateOrder({ ...validOrder(), productQuantity: '2', userId: 7 }, 'json', NOW);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.errors.productQuantity).toMatch(/whole number/);
  expect(r.errors.userId).toBe('User ID must be a string.');
});

test.each([
  ['not-a-uuid', /must be a UUID/],
  ['1b9d6bcd-bbfd-4b2d-cb5d-ab8dfbbd4bed', /must be a UUID/], // wrong variant
  ['01b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', /must be a UUID/], // a UUID with a digit before it
  ['1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed0', /must be a UUID/], // and after it
  ['', /required/],
])('rejects Date UUID %j', (dateUuid, message) => {
  const r = validateOrder({ ...validOrder(), dateUuid }, 'json', NOW);
  expect(r.ok || r.errors.dateUuid).toMatch(message);
});

test.each([
  ['4111111111111112', /checksum/],
  ['411111111111', /13 to 19 digits \(it has 12\)/],
  ['41111111111111111111', /13 to 19 digits \(it has 20\)/],
  ['4111x11111111111', /only digits/],
])('rejects card number %s', (cardNumber, message) => {
  const r = validateOrder({ ...validOrder(), cardNumber }, 'json', NOW);
  expect(r.ok || r.errors.cardNumber).toMatch(message);
});

// Card networks' published test numbers: each doubles digits of 5 and more, whose doubled value
// loses 9 (the generated property below checks passesLuhn against itself, so it cannot see that).
test.each(['5555555555554444', '4012888888881881', '378282246310005', '6011111111111117', '3530111333300000'])(
  'accepts the test card number %s and refuses it with its last digit changed',
  (cardNumber) => {
    expect(passesLuhn(cardNumber)).toBe(true);
    expect(validateOrder({ ...validOrder(), cardNumber }, 'json', NOW)).toEqual({ ok: true, value: validOrder({ cardNumber }) });
    const changed = cardNumber.slice(0, -1) + ((Number(cardNumber.at(-1)) + 5) % 10);
    expect(passesLuhn(changed)).toBe(false);
  },
);

test('accepts quantities 1 and 10,000, the limits themselves, from JSON and from a form', () => {
  for (const productQuantity of [1, 10_000]) {
    expect(validateOrder({ ...validOrder(), productQuantity }, 'json', NOW)).toMatchObject({ ok: true, value: { productQuantity } });
    expect(validateOrder(asForm({ ...validOrder(), productQuantity: String(productQuantity) }), 'form', NOW)).toMatchObject({
      ok: true,
      value: { productQuantity },
    });
  }
});

test.each([0, 10_001, 1.5, -1, Number.NaN])('rejects quantity %p', (productQuantity) => {
  const r = validateOrder({ ...validOrder(), productQuantity }, 'json', NOW);
  expect(r.ok || r.errors.productQuantity).toMatch(/whole number from 1 to 10,000/);
});

test.each(['1e3', '2.0', '0x10', '-1', '1234567'])('rejects form quantity %j', (productQuantity) => {
  const r = validateOrder(asForm({ ...validOrder(), productQuantity }), 'form', NOW);
  expect(r).toEqual({ ok: false, errors: { productQuantity: 'Product Quantity must be a whole number from 1 to 10,000.' } });
});

test('form values must be text: a number for the quantity is refused, not taken as typed', () => {
  const r = validateOrder({ ...asForm({ ...validOrder() }), productQuantity: 2 }, 'form', NOW);
  expect(r).toEqual({ ok: false, errors: { productQuantity: 'Product Quantity must be a whole number from 1 to 10,000.' } });
});

test('order date may be today anywhere on Earth but not later', () => {
  expect(latestToday(NOW)).toBe('2026-06-16');
  expect(validateOrder({ ...validOrder(), orderDate: '2026-06-16', shippingDate: '2026-06-16' }, 'json', NOW).ok).toBe(true);
  const r = validateOrder({ ...validOrder(), orderDate: '2026-06-17', shippingDate: '2026-06-18' }, 'json', NOW);
  expect(r.ok || r.errors.orderDate).toBe('Order Date must not be in the future.');
});

test('rejects impossible dates and shipping before ordering', () => {
  expect(isCalendarDate('2023-02-29')).toBe(false);
  expect(isCalendarDate('2024-02-29')).toBe(true);
  expect(isCalendarDate('2024-13-01')).toBe(false);
  expect(isCalendarDate('1900-01-01')).toBe(true);
  expect(isCalendarDate('1899-12-31')).toBe(false);
  const r = validateOrder({ ...validOrder(), orderDate: '2026-06-10', shippingDate: '2026-06-09' }, 'json', NOW);
  expect(r.ok || r.errors.shippingDate).toBe('Shipping Date must not be before the Order Date.');
});

test.each(['2024-02-29x', 'x2024-02-29', '12024-02-29', '2024-02-290', ' 2024-02-29'])(
  'a date with anything before or after it is not a date (%j)',
  (value) => {
    expect(isCalendarDate(value)).toBe(false);
  },
);

test('rejects text over 64 characters or with control characters', () => {
  expect(validateOrder({ ...validOrder(), storeCode: 'x'.repeat(65) }, 'json', NOW).ok).toBe(false);
  // SQL Server's NVARCHAR(64) holds 64 UTF-16 units: 32 emoji, not 64.
  expect(validateOrder({ ...validOrder(), storeCode: '😀'.repeat(32) }, 'json', NOW).ok).toBe(true);
  const emoji = validateOrder({ ...validOrder(), storeCode: `${'😀'.repeat(32)}x` }, 'json', NOW);
  expect(emoji.ok || emoji.errors.storeCode).toBe('Store Code must be at most 64 characters (an emoji counts as two).');
  expect(validateOrder({ ...validOrder(), productCode: 'a\u0000b' }, 'json', NOW).ok).toBe(false);
  expect(validateOrder({ ...validOrder(), userId: 'a\ud800' }, 'json', NOW).ok).toBe(false);
});

test('keeps text that looks like SQL or HTML exactly', () => {
  const r = validateOrder({ ...validOrder(), userId: "'; DROP TABLE orders;--", storeCode: '<script>alert(1)</script>' }, 'json', NOW);
  expect(r.ok && r.value.userId).toBe("'; DROP TABLE orders;--");
  expect(r.ok && r.value.storeCode).toBe('<script>alert(1)</script>');
});

test('property: a generated valid card number always passes, one changed digit always fails', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{12,18}$/), fc.nat(), (body, which) => {
      const check = [...Array(10).keys()].find((d) => passesLuhn(body + d))!;
      const card = body + check;
      expect(validateOrder({ ...validOrder(), cardNumber: card }, 'json', NOW).ok).toBe(true);
      const i = which % card.length;
      const changed = card.slice(0, i) + ((Number(card[i]) + 1 + (which % 9)) % 10) + card.slice(i + 1);
      if (changed !== card) expect(passesLuhn(changed)).toBe(false);
    }),
  );
});

test('property: validation never throws and accepts exactly what it normalises to', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.constantFrom('dateUuid', 'userId', 'cardNumber', 'storeCode', 'productCode', 'productQuantity', 'orderDate', 'shippingDate', 'x'),
        fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      ),
      (input) => {
        const r = validateOrder(input, 'json', NOW);
        if (r.ok) {
          expect(isUuid(r.value.dateUuid)).toBe(true);
          expect(validateOrder(r.value, 'json', NOW)).toEqual(r);
        }
      },
    ),
  );
});

test('property: the browser script reports the same fields with the same messages as the server', () => {
  const fieldValue = {
    dateUuid: fc.oneof(fc.uuid(), fc.string(), fc.constant('')),
    userId: fc.oneof(fc.string({ maxLength: 70 }), fc.constant('')),
    cardNumber: fc.oneof(fc.constant('4111 1111 1111 1111'), fc.stringMatching(/^[\d -]{0,24}$/), fc.string()),
    storeCode: fc.oneof(fc.string({ maxLength: 70, unit: 'grapheme' }), fc.constant('a\u0007')),
    productCode: fc.string({ maxLength: 70, unit: 'binary' }),
    productQuantity: fc.oneof(fc.integer({ min: -5, max: 10_005 }).map(String), fc.string({ maxLength: 4 })),
    orderDate: fc.oneof(
      fc.date({ min: new Date('1899-12-25'), max: new Date('2026-06-20'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.string({ maxLength: 10 }),
    ),
    shippingDate: fc.oneof(
      fc.date({ min: new Date('1899-12-25'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.constant('2024-02-30'),
    ),
  };
  fc.assert(
    fc.property(fc.record(fieldValue), (values) => {
      const server = validateOrder(values, 'form', NOW);
      const browser = client.validate(values, NOW);
      expect(browser).toEqual(server.ok ? {} : server.errors);
    }),
    { numRuns: 2000 },
  );
});

test('puts text fields in Unicode NFC', () => {
  const result = validateOrder({ ...validOrder(), userId: 'Jose\u0301', storeCode: 'Cafe\u0301', productCode: 'A\u030a-1' }, 'json', NOW);
  expect(result).toEqual({ ok: true, value: validOrder({ userId: 'Jos\u00e9', storeCode: 'Caf\u00e9', productCode: '\u00c5-1' }) });
});
