import type { Browser } from 'playwright-core';
import { SESSION_COOKIE } from '../src/auth/auth';
import { startSignInStack, type SignInStack } from './oidc-helpers';
import { launchChromium } from './process-helpers';

// The sign-in pages in a real headless Chromium: the app redirects to the OpenID Connect
// provider (oidc-provider, in its own process), the user picks an account there, and comes
// back signed in; then signs out with the header's button.
let browser: Browser;
let stack: SignInStack;

beforeAll(async () => {
  stack = await startSignInStack();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  // Unset when beforeAll failed part-way.
  await (browser as Browser | undefined)?.close();
  (stack as SignInStack | undefined)?.stop();
});

test('an editor signs in through the provider, adds an order, then signs out', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  await page.goto(`${stack.appUrl}/orders/new`);
  expect(new URL(page.url()).origin).toBe(stack.issuer);
  await page.click('text=Sign in as Eddie Editor');
  await page.waitForURL(`${stack.appUrl}/orders/new`);
  await expect(page.textContent('.user-name')).resolves.toBe('Eddie Editor');
  await expect(page.textContent('.user-role')).resolves.toBe('(editor)');
  const session = (await context.cookies(stack.appUrl)).find((c) => c.name === SESSION_COOKIE);
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });

  for (const [name, value] of Object.entries({
    user_id: 'browser-signed-in',
    card_number: '4111 1111 1111 1111',
    store_code: 'E2E-STORE',
    product_code: 'E2E-PRODUCT',
    product_quantity: '1',
    order_date: '2024-03-01',
    shipping_date: '2024-03-05',
  })) {
    await page.fill(`[name="${name}"]`, value);
  }
  await page.click('#order-form button[type="submit"]');
  await page.waitForURL(/created=/);
  await expect(page.textContent('.notice.success')).resolves.toContain('browser-signed-in');

  await page.click('form.user button');
  await page.waitForURL((url) => url.origin === stack.issuer);
  expect((await context.cookies(stack.appUrl)).some((c) => c.name === SESSION_COOKIE)).toBe(false);
  await context.close();
});

test('a viewer sees the list but no Add New Order tab, and the form is refused', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  await page.goto(`${stack.appUrl}/`);
  await page.click('text=Sign in as Vera Viewer');
  await page.waitForURL(`${stack.appUrl}/`);
  await expect(page.textContent('h1')).resolves.toBe('Order List');
  expect(await page.locator('nav a', { hasText: 'Add New Order' }).count()).toBe(0);
  const res = await page.goto(`${stack.appUrl}/orders/new`);
  expect(res?.status()).toBe(403);
  await expect(page.textContent('main')).resolves.toContain('Your role lets you view orders but not add them.');
  await context.close();
});
