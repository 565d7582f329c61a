const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * Whole numbers as every page, message and hint shows them: en-US digit grouping
 * (`102,002`), whatever the server's or the browser's locale. `app/public/order-form.js`
 * groups the same way.
 */
export function formatNumber(n: number): string {
  return GROUPED.format(n);
}
