import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { startSystem, type TestSystem } from './support/system.ts';

// A page reloaded (or opened again from the address bar) is served from the browser's
// cache revalidation: it must start exactly like a first load, under the page's own CSP.
describe('reloading a page in Chromium', () => {
  let system: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    system = await startSystem({ web: true, workers: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('shows every section again after a reload and after opening the same URL twice', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        violations.push(message.text());
    });
    await page.goto(`${system.baseUrl}/login?next=%2Fadmin`);
    await page.getByLabel(/用户名|Username/).fill('admin');
    await page.getByLabel(/密码|Password/).fill('demo1234');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin/);
    for (const path of ['/admin', '/dispatch', '/dashboard', '/hotline']) {
      await page.goto(`${system.baseUrl}${path}`);
      await page.locator('main h1, main h2').first().waitFor({ timeout: 10_000 });
      await page.reload();
      await page.locator('main h1, main h2').first().waitFor({ timeout: 10_000 });
      await page.goto(`${system.baseUrl}${path}`);
      await page.locator('main h1, main h2').first().waitFor({ timeout: 10_000 });
    }
    expect(violations).toEqual([]);
    await page.close();
  });
});
