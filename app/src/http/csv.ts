import type { Response } from 'express';
import { FIELD_LABELS, maskCardNumber, ORDER_FIELDS, type Order } from '../domain/order';

/** Characters a spreadsheet runs as the start of a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r"]/;
/**
 * A character a spreadsheet may split cells or rows on (`,`, `;` in European locales, tab,
 * line breaks; not every tool honours quotes) followed by a formula start or a quote.
 */
const FORMULA_AFTER_DELIMITER = /([,;\t\r\n])(?=[=+\-@\t\r"])/g;

/**
 * One CSV field, always quoted. Text that a spreadsheet would run as a formula gets a
 * single quote in front: at the start of the field, and after any `,` `;` tab or line break
 * inside it, so that no cell starts a formula whatever the reader splits on. The quote
 * is visible in the cell; it is the usual way to mark text as text and changes nothing else.
 */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string') {
    s = s.replace(FORMULA_AFTER_DELIMITER, "$1'");
    if (FORMULA_START.test(s)) s = `'${s}`;
  }
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvHeader(): string {
  return `${ORDER_FIELDS.map((f) => csvField(FIELD_LABELS[f])).join(',')}\r\n`;
}

export function csvRow(order: Order): string {
  return `${ORDER_FIELDS.map((f) => csvField(f === 'cardNumber' ? maskCardNumber(order.cardNumber) : order[f])).join(',')}\r\n`;
}

/** Writes rows to the response, waiting for the client when its buffer is full. */
export async function streamCsv(res: Response, rows: AsyncIterable<Order>): Promise<void> {
  res.write(csvHeader());
  let chunk = '';
  for await (const order of rows) {
    if (res.destroyed) return;
    chunk += csvRow(order);
    if (chunk.length > 64 * 1024) {
      const ok = res.write(chunk);
      chunk = '';
      if (!ok)
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done).once('close', done);
        });
    }
  }
  res.end(chunk);
}
