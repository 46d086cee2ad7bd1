import type { Page } from 'playwright-core';

/** Page errors and console errors, but the login page's expected 401 from /api/me. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 401/.test(message.text()))
      errors.push(message.text());
  });
  return errors;
}

/** Signs a volunteer in through /login; they land on /volunteer, live. */
export async function signInVolunteer(
  page: Page,
  baseUrl: string,
  username: string,
  password = 'demo1234',
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/volunteer$/);
  await page
    .locator('[data-testid="connection-status"][data-state="connected"]')
    .waitFor({ timeout: 10_000 });
}
