import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { appInChromium, ROOT } from './process-helpers';

const app = appInChromium(60);

async function fillOrder(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await page.fill(`[name="${name}"]`, value);
}

const good = {
  user_id: 'e2e-shopper',
  card_number: '4111 1111 1111 1111',
  store_code: 'E2E-STORE',
  product_code: 'E2E-PRODUCT',
  product_quantity: '4',
  order_date: '2024-03-01',
  shipping_date: '2024-03-05',
};

test('pages through the order list', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.url}/`);
  await expect(page.textContent('.page-status')).resolves.toBe('Page 1 of 3');
  expect(await page.locator('table.orders tbody tr').count()).toBe(25);
  await page.click('a[rel="next"]');
  await expect(page.textContent('.page-status')).resolves.toBe('Page 2 of 3');
  await page.fill('#jump-page', '3');
  await page.click('form.jump button');
  await expect(page.textContent('.page-status')).resolves.toBe('Page 3 of 3');
  expect(await page.locator('table.orders tbody tr').count()).toBe(10);
  await page.click('a[rel="first"]');
  await expect(page.textContent('.page-status')).resolves.toBe('Page 1 of 3');
  expect(await page.locator('body').innerText()).not.toMatch(/\d{13,19}/);
  await page.close();
});

test("shows the form's own error messages for bad input and submits nothing", async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.url}/orders/new`);
  expect(await page.inputValue('[name="date_uuid"]')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await fillOrder(page, {
    ...good,
    card_number: '1234 5678 9012 3456',
    product_quantity: '0',
    order_date: '2024-03-05',
    shipping_date: '2024-03-01',
  });
  await page.click('#order-form button[type="submit"]');
  expect(page.url()).toBe(`${app.url}/orders/new`);
  await expect(page.textContent('#f-card_number-error')).resolves.toBe('Card Number is not a valid card number (checksum failed).');
  await expect(page.textContent('#f-product_quantity-error')).resolves.toBe('Product Quantity must be a whole number from 1 to 10,000.');
  await expect(page.textContent('#f-shipping_date-error')).resolves.toBe('Shipping Date must not be before the Order Date.');
  await expect(page.getAttribute('[name="card_number"]', 'aria-invalid')).resolves.toBe('true');
  await expect(page.getAttribute('[name="card_number"]', 'aria-describedby')).resolves.toBe('f-card_number-hint f-card_number-error');
  await expect(page.getAttribute('[name="user_id"]', 'aria-describedby')).resolves.toBeNull();
  // The GOV.UK error summary: built by the script, focused, one link per field in error.
  await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
  expect(await page.locator('#error-summary a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).toEqual([
    ['#f-card_number', 'Card Number is not a valid card number (checksum failed).'],
    ['#f-product_quantity', 'Product Quantity must be a whole number from 1 to 10,000.'],
    ['#f-shipping_date', 'Shipping Date must not be before the Order Date.'],
  ]);
  await page.click('#error-summary a[href="#f-product_quantity"]');
  await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('f-product_quantity');
  // Correcting a flagged field clears its message once the field changes.
  await page.fill('[name="card_number"]', good.card_number);
  await page.press('[name="card_number"]', 'Tab');
  await expect(page.textContent('#f-card_number-error')).resolves.toBe('');
  await expect(page.getAttribute('[name="card_number"]', 'aria-describedby')).resolves.toBe('f-card_number-hint');
  await expect(page.getAttribute('[name="card_number"]', 'aria-invalid')).resolves.toBeNull();
  await expect(page.textContent('#f-product_quantity-error')).resolves.toBe('Product Quantity must be a whole number from 1 to 10,000.');
  await page.close();
});

test('without JavaScript, the server shows the same messages (422) and keeps the values', async () => {
  const context = await app.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${app.url}/orders/new`);
  // Passes the browser's own constraint checks (pattern, min/max), fails the server's Luhn check.
  await fillOrder(page, { ...good, user_id: 'kept-value', card_number: '1234 5678 9012 3456' });
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#order-form button[type="submit"]')]);
  expect(response!.status()).toBe(422);
  await expect(page.textContent('#f-card_number-error')).resolves.toBe('Card Number is not a valid card number (checksum failed).');
  expect(await page.inputValue('[name="user_id"]')).toBe('kept-value');
  expect(await page.inputValue('[name="card_number"]')).toBe('');
  expect(await page.locator('#error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['#f-card_number']);
  await expect(page.getAttribute('[name="card_number"]', 'aria-invalid')).resolves.toBe('true');
  await context.close();
});

test('adds an order through the form and sees it listed', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.url}/`);
  await page.click('nav a:has-text("Add New Order")');
  const uuid = await page.inputValue('[name="date_uuid"]');
  await fillOrder(page, good);
  await Promise.all([page.waitForURL(/created=/), page.click('#order-form button[type="submit"]')]);
  await expect(page.textContent('.notice.success')).resolves.toContain(`Order ${uuid} for user e2e-shopper was added.`);
  await page.click('.notice.success a');
  const rows = page.locator('table.orders tbody tr');
  expect(await rows.count()).toBe(1);
  // Each cell's value, without the Date UUID's copy button.
  const cells = await rows
    .first()
    .locator('td')
    .evaluateAll((tds) => tds.map((td) => (td.querySelector('.short-id') ?? td).textContent!.trim()));
  expect(cells).toEqual([uuid, 'e2e-shopper', '**** **** **** 1111', 'E2E-STORE', 'E2E-PRODUCT', '4', '2024-03-01', '2024-03-05']);
  fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
  await page.goto(`${app.url}/`);
  await page.screenshot({ path: path.join(ROOT, 'test-results/order-list.png'), fullPage: true });
  await page.close();
});

test("a Date UUID shown by its first 8 characters is copied whole by its button; the user id links to that user's orders", async () => {
  const context = await app.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${app.url}/`);
  const cell = page.locator('table.orders tbody tr').first().locator('td[data-label="Date UUID"]');
  const full = (await cell.locator('.short-id').getAttribute('title'))!;
  expect(full).toMatch(/^[0-9a-f-]{36}$/);
  // Only the first 8 characters are visible.
  const widths = await cell.locator('.short-id').evaluate((el) => ({ shown: el.clientWidth, whole: el.scrollWidth }));
  expect(widths.shown).toBeLessThan(widths.whole / 3);
  await cell.locator('button.copy').click();
  await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(full);
  await expect(cell.locator('button.copy').textContent()).resolves.toBe('Copied');
  const user = page.locator('table.orders tbody tr').first().locator('td[data-label="User ID"] a');
  const userId = (await user.innerText()).trim();
  await Promise.all([page.waitForURL(/userId=/), user.click()]);
  const users = await page.locator('table.orders tbody td[data-label="User ID"]').allInnerTexts();
  expect(new Set(users.map((u) => u.trim()))).toEqual(new Set([userId]));
  await context.close();
});
