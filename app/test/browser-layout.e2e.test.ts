import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { appInChromium, ROOT } from './process-helpers';

/**
 * Layout and accessibility in a real Chromium at a laptop, a desktop and a phone size:
 * what a clerk can see without scrolling sideways, not pixels. Screenshots of every page
 * go to test-results/layout/ (not committed) for a person to look at.
 */

// Demo data as `npm start` has it (long store and product codes, UUID user ids), over several pages.
const app = appInChromium(200);
const SHOTS = path.join(ROOT, 'test-results', 'layout');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const VIEWPORTS = [
  { name: 'laptop', width: 1280, height: 800, desktop: true },
  { name: 'desktop', width: 1920, height: 1080, desktop: true },
  { name: 'phone', width: 390, height: 844, desktop: false },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

beforeAll(() => fs.mkdirSync(SHOTS, { recursive: true }));

async function open(vp: Viewport, urlPath: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await app.browser.newContext({ viewport: { width: vp.width, height: vp.height }, ...options });
  const page = await context.newPage();
  await page.goto(`${app.url}${urlPath}`);
  return page;
}

const shot = (page: Page, name: string, vp: Viewport): Promise<Buffer> =>
  page.screenshot({ path: path.join(SHOTS, `${name}-${vp.width}x${vp.height}.png`), fullPage: true });

/** How far the document reaches past the window sideways (0: no horizontal scroll). */
const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth);

/** The rectangle of an element as the window shows it. */
const rectOf = (page: Page, selector: string): Promise<{ left: number; right: number; top: number; bottom: number }> =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    });

describe.each(VIEWPORTS)('at $width x $height ($name)', (vp) => {
  test('the order list has no horizontal scroll', async () => {
    const page = await open(vp, '/');
    await shot(page, 'order-list', vp);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  test('the form, with and without errors, and the 404 page have no horizontal scroll', async () => {
    const page = await open(vp, '/orders/new');
    await shot(page, 'order-form', vp);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.fill('[name="product_quantity"]', '0');
    await page.click('#order-form button[type="submit"]');
    await shot(page, 'order-form-invalid', vp);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.goto(`${app.url}/no-such-page`);
    await shot(page, 'not-found', vp);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  if (vp.desktop) {
    test('every column header is inside the window, none hidden in a sideways scroll', async () => {
      const page = await open(vp, '/');
      const headers = await page.locator('table.orders thead th').evaluateAll((ths) =>
        ths.map((th) => {
          const r = th.getBoundingClientRect();
          return { text: (th as HTMLElement).innerText.trim(), left: r.left, right: r.right, width: r.width };
        }),
      );
      expect(headers).toHaveLength(8);
      for (const h of headers) {
        expect(h.width).toBeGreaterThan(0);
        expect(h.left).toBeGreaterThanOrEqual(0);
        expect({ header: h.text, inside: h.right <= vp.width }).toEqual({ header: h.text, inside: true });
      }
      const wrap = await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(wrap).toBeLessThanOrEqual(0);
      await page.context().close();
    });
  } else {
    test("the first order's key values are on the first screen, one card per order", async () => {
      const page = await open(vp, '/');
      const firstRow = page.locator('table.orders tbody tr').first();
      const cells = await firstRow.locator('td').evaluateAll((tds) =>
        tds.map((td) => {
          const r = td.getBoundingClientRect();
          return { label: td.getAttribute('data-label'), left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        }),
      );
      for (const label of ['Date UUID', 'User ID', 'Store Code', 'Product Code', 'Product Quantity', 'Order Date']) {
        const cell = cells.find((c) => c.label === label)!;
        expect({
          label,
          inside:
            cell.right > cell.left && cell.bottom > cell.top && cell.left >= 0 && cell.right <= vp.width && cell.top >= 0 && cell.bottom <= vp.height,
        }).toEqual({
          label,
          inside: true,
        });
      }
      // A card, not a table row: the second order starts below the first.
      const second = await rectOf(page, 'table.orders tbody tr:nth-child(2)');
      expect(second.top).toBeGreaterThanOrEqual(Math.max(...cells.map((c) => c.bottom)));
      await page.context().close();
    });

    test('the pager fits on one row, and the filters are behind a closed button', async () => {
      const page = await open(vp, '/?page=2');
      const parts = await page.locator('nav.pagination.top > *').evaluateAll((els) =>
        els
          .map((el) => el.getBoundingClientRect())
          .filter((r) => r.width > 0)
          .map((r) => ({ top: r.top, bottom: r.bottom, left: r.left, right: r.right })),
      );
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (const p of parts) {
        expect(p.left).toBeGreaterThanOrEqual(0);
        expect(p.right).toBeLessThanOrEqual(vp.width);
        // One row: every part overlaps the first part's line.
        expect(p.top).toBeLessThan(parts[0]!.bottom);
        expect(p.bottom).toBeGreaterThan(parts[0]!.top);
      }
      expect(await page.locator('details.filter-panel').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await page.locator('#f-user').isVisible()).toBe(false);
      await page.click('details.filter-panel summary');
      expect(await page.locator('#f-user').isVisible()).toBe(true);
      await page.context().close();
    });
  }

  test('the pager and its Next link are on the first screen, without scrolling', async () => {
    const page = await open(vp, '/');
    expect(await page.locator('nav.pagination.top a[rel="next"]').isVisible()).toBe(true);
    const next = await rectOf(page, 'nav.pagination.top a[rel="next"]');
    expect(next.bottom - next.top).toBeGreaterThan(0);
    expect(next.top).toBeGreaterThanOrEqual(0);
    expect(next.bottom).toBeLessThanOrEqual(vp.height);
    expect(next.right).toBeLessThanOrEqual(vp.width);
    await page.context().close();
  });
});

test('pages load with no failed request and no console error, the favicon included', async () => {
  for (const p of ['/', '/orders/new', '/?page=2&sort=storeCode&dir=asc', '/no-such-page']) {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('response', (r) => {
      // The 404 page itself is meant to be a 404.
      if (r.status() >= 400 && !r.url().endsWith('/no-such-page')) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => problems.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
    const [icon] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/static/favicon.svg')), page.goto(`${app.url}${p}`)]);
    expect(icon.status()).toBe(200);
    await page.waitForLoadState('networkidle');
    expect({ page: p, problems: problems.filter((m) => !(p === '/no-such-page' && m.includes('404'))) }).toEqual({ page: p, problems: [] });
    await context.close();
  }
});

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } }).axe;
    interface AxeViolation {
      id: string;
      impact: string;
      nodes: { target: string[] }[];
    }
    return (await axe.run(document)).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe.each([VIEWPORTS[0], VIEWPORTS[2]])('accessibility (axe-core) at $width x $height', (vp) => {
  // The page's CSP forbids inline script; axe is injected as one, so only these contexts bypass it.
  const axeContext = { bypassCSP: true };

  test('the order list has no serious or critical violations', async () => {
    const page = await open(vp, '/?page=2', axeContext);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  test('the form has none, neither with errors shown by the browser script', async () => {
    const page = await open(vp, '/orders/new', axeContext);
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('[name="card_number"]', '1234');
    await page.fill('[name="order_date"]', '2024-02-30');
    await page.click('#order-form button[type="submit"]');
    await page.waitForSelector('#error-summary');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  test("the server's 422 page has none", async () => {
    // Without the browser script (and the browser's own checks) the server answers; axe still needs script.
    const context = await app.browser.newContext({ viewport: { width: vp.width, height: vp.height }, ...axeContext });
    await context.route('**/static/order-form.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
    const page = await context.newPage();
    await page.goto(`${app.url}/orders/new`);
    await page.evaluate(() => {
      (document.getElementById('order-form') as HTMLFormElement).noValidate = true;
    });
    await page.fill('[name="product_quantity"]', '0');
    await page.fill('[name="shipping_date"]', '2024-13-01');
    const [posted] = await Promise.all([page.waitForNavigation(), page.click('#order-form button[type="submit"]')]);
    expect(posted!.status()).toBe(422);
    expect(await page.locator('#error-summary a').count()).toBeGreaterThanOrEqual(2);
    await shot(page, 'order-form-422', vp);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  test('the 404 page has none', async () => {
    const page = await open(vp, '/no-such-page', axeContext);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});
