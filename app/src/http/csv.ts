import type { Response } from 'express';
import { FIELD_LABELS, maskCardNumber, ORDER_FIELDS, type Order } from '../domain/order';

/**
 * One CSV field: quoted when needed, and text that a spreadsheet would run as a formula
 * (starting with = + - @ or a tab/CR) prefixed with a single quote.
 */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
      if (!ok) await new Promise<void>((resolve) => {
        const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
        res.once('drain', done).once('close', done);
      });
    }
  }
  res.end(chunk);
}
