import { formatNumber } from './format-number';
import { FIELD_LABELS, ORDER_FIELDS, type Order, type OrderField } from './order';

/**
 * The order rules. One module, used by the form, the JSON API and the seed script; the
 * browser script `app/public/order-form.js` mirrors it and a test proves they agree.
 */
export const ORDER_RULES = {
  textMaxLength: 64,
  cardMinDigits: 13,
  cardMaxDigits: 19,
  quantityMin: 1,
  quantityMax: 10_000,
  /**
   * An order date is "not in the future" when it is not later than today in the world's
   * most advanced time zone (UTC+14), so a user anywhere can enter their own today.
   */
  latestTimeZoneOffsetHours: 14,
} as const;

export type FieldErrors = Partial<Record<OrderField | 'body', string>>;

export type ValidationResult = { readonly ok: true; readonly value: Order } | { readonly ok: false; readonly errors: FieldErrors };

/** Where the input came from: form values are all strings, JSON has real types. */
export type InputSource = 'form' | 'json';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// C0 and C1 control characters, DEL, and U+FFFD (what a broken encoding decodes to).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS_RE = /[\u0000-\u001f\u007f-\u009f\ufffd]/;
// Invisible characters: format characters (Cf: zero-width space and joiners, byte order mark,
// soft hyphen, bidi controls), the other default-ignorable ones (combining grapheme joiner,
// variation selectors), blank fillers (Hangul, Braille) and the line and paragraph
// separators (a spreadsheet may start a new row at them). They make two keys look the same.
const FORMAT_CHARS_RE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029\u115f\u1160\u3164\uffa0\u2800]/u;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True for an RFC 4122 UUID (versions 1-8, RFC 4122 variant). */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** True when `value` is `YYYY-MM-DD` and names a real calendar day. */
export function isCalendarDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900) return false;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a month or day out of range fails the round trip below too
  if (mo < 1 || mo > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  // A day past the month's end moves the date into a later month: the month alone, or the day alone, tells.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: any one of the three comparisons that is left still refuses it
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Luhn checksum over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      // Stryker disable next-line EqualityOperator: a doubled digit is even, never 9
      if (d > 9) d -= 9;
    }
    // Stryker disable next-line AssignmentOperator: a negative sum is a multiple of 10 exactly when its opposite is
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Text as the app compares and stores it: Unicode NFC, so `José` typed with a combined
 * or a separate accent is one user. Used for order fields, filters and look-ups.
 */
export function normalizeText(value: string): string {
  return value.normalize('NFC');
}

/** The latest calendar date that is "today" somewhere on Earth at `now`. */
export function latestToday(now: Date): string {
  const shifted = new Date(now.getTime() + ORDER_RULES.latestTimeZoneOffsetHours * 3_600_000);
  return shifted.toISOString().slice(0, 10);
}

function validateText(label: string, value: string): string | undefined {
  if (value.length === 0) return `${label} is required.`;
  if (LONE_SURROGATE_RE.test(value) || FORBIDDEN_CHARS_RE.test(value)) {
    return `${label} must not contain control characters or invalid characters.`;
  }
  if (FORMAT_CHARS_RE.test(value)) {
    return (
      `${label} must not contain invisible formatting characters (` + `such as zero-width spaces, joiners, byte order marks or text direction marks).`
    );
  }
  // UTF-16 units, as SQL Server's NVARCHAR(64) counts: an emoji counts as two.
  if (value.length > ORDER_RULES.textMaxLength) {
    return `${label} must be at most ${ORDER_RULES.textMaxLength} characters (an emoji counts as two).`;
  }
  return undefined;
}

/** Normalises a card number (spaces and dashes removed) or explains what is wrong. */
function validateCard(value: string): { digits?: string; error?: string } {
  const digits = value.replace(/[\s-]/g, '');
  const { cardMinDigits: min, cardMaxDigits: max } = ORDER_RULES;
  if (digits.length === 0) return { error: 'Card Number is required.' };
  if (!/^\d+$/.test(digits)) return { error: 'Card Number may contain only digits, spaces and dashes.' };
  if (digits.length < min || digits.length > max) {
    return { error: `Card Number must have ${min} to ${max} digits (it has ${digits.length}).` };
  }
  if (!passesLuhn(digits)) return { error: 'Card Number is not a valid card number (checksum failed).' };
  return { digits };
}

function validateQuantity(raw: unknown, source: InputSource): { value?: number; error?: string } {
  const { quantityMin: min, quantityMax: max } = ORDER_RULES;
  let n: number;
  if (source === 'json' && typeof raw === 'number') {
    n = raw;
  } else if (typeof raw === 'string' && source === 'form') {
    const s = raw.trim();
    if (s === '') return { error: 'Product Quantity is required.' };
    if (!/^\d{1,6}$/.test(s)) return { error: `Product Quantity must be a whole number from ${min} to ${formatNumber(max)}.` };
    n = Number(s);
    // Stryker disable next-line BlockStatement: without it, n is undefined and the check below gives the same message
  } else {
    return { error: `Product Quantity must be a whole number from ${min} to ${formatNumber(max)}.` };
  }
  if (!Number.isInteger(n) || n < min || n > max) {
    return { error: `Product Quantity must be a whole number from ${min} to ${formatNumber(max)}.` };
  }
  return { value: n };
}

/**
 * Validates and normalises a new order. `input` holds the fields by their API names
 * (`dateUuid`, ...); anything else in it is reported as an unknown field. Text is put in
 * Unicode NFC and trimmed, and refused with invisible format characters (category Cf);
 * the UUID is lower-cased; the card number keeps only its digits.
 */
export function validateOrder(input: unknown, source: InputSource, now: Date = new Date()): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: { body: 'The request body must be an object with the order fields.' } };
  }
  const raw = input as Record<string, unknown>;
  const errors: FieldErrors = {};
  const unknown = Object.keys(raw).filter((k) => !(ORDER_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    errors.body = `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown
      .slice(0, 5)
      .map((k) => JSON.stringify(k.slice(0, 40)))
      .join(', ')}.`;
  }

  const text: Partial<Record<OrderField, string>> = {};
  for (const field of ORDER_FIELDS) {
    if (field === 'productQuantity') continue;
    const value = raw[field];
    if (value === undefined || value === null) {
      errors[field] = `${FIELD_LABELS[field]} is required.`;
    } else if (typeof value !== 'string') {
      errors[field] = `${FIELD_LABELS[field]} must be a string.`;
    } else {
      text[field] = normalizeText(value).trim();
    }
  }

  if (text.dateUuid !== undefined) {
    if (text.dateUuid === '') errors.dateUuid = 'Date UUID is required.';
    else if (!isUuid(text.dateUuid)) errors.dateUuid = 'Date UUID must be a UUID such as 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.';
  }
  for (const field of ['userId', 'storeCode', 'productCode'] as const) {
    const value = text[field];
    if (value !== undefined) {
      const error = validateText(FIELD_LABELS[field], value);
      if (error) errors[field] = error;
    }
  }
  let cardDigits: string | undefined;
  if (text.cardNumber !== undefined) {
    const card = validateCard(text.cardNumber);
    if (card.error) errors.cardNumber = card.error;
    cardDigits = card.digits;
  }

  let quantity: number | undefined;
  if (raw.productQuantity === undefined || raw.productQuantity === null) {
    errors.productQuantity = 'Product Quantity is required.';
  } else {
    const q = validateQuantity(raw.productQuantity, source);
    if (q.error) errors.productQuantity = q.error;
    quantity = q.value;
  }

  const today = latestToday(now);
  if (text.orderDate !== undefined) {
    if (text.orderDate === '') errors.orderDate = 'Order Date is required.';
    else if (!isCalendarDate(text.orderDate)) errors.orderDate = 'Order Date must be a real date in the form YYYY-MM-DD.';
    else if (text.orderDate > today) errors.orderDate = 'Order Date must not be in the future.';
  }
  if (text.shippingDate !== undefined) {
    if (text.shippingDate === '') errors.shippingDate = 'Shipping Date is required.';
    else if (!isCalendarDate(text.shippingDate)) errors.shippingDate = 'Shipping Date must be a real date in the form YYYY-MM-DD.';
    else if (text.orderDate && !errors.orderDate && text.shippingDate < text.orderDate) {
      errors.shippingDate = 'Shipping Date must not be before the Order Date.';
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      dateUuid: text.dateUuid!.toLowerCase(),
      userId: text.userId!,
      cardNumber: cardDigits!,
      storeCode: text.storeCode!,
      productCode: text.productCode!,
      productQuantity: quantity!,
      orderDate: text.orderDate!,
      shippingDate: text.shippingDate!,
    },
  };
}
