import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Signs in as the city dispatcher through the login form and waits for the live connection. */
export async function openDispatch(page: Page, baseUrl: string, query = ''): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(`/dispatch${query}`)}`);
  await page.getByLabel(/用户名|Username/).fill('dispatcher');
  await page.getByLabel(/密码|Password/).fill('demo1234');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/dispatch/);
  await page
    .locator('[data-testid="connection-status"][data-state="connected"]')
    .waitFor({ timeout: 10_000 });
}

/** Screenshots for people to look at, when SCREENSHOT_DIR names a folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}
