import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TicketSummary } from '@gridline/core';
import { launchChromium } from './support/browser.ts';
import { startSystem, type TestSystem } from './support/system.ts';
import { openDispatch, screenshot } from './support/dispatch-page.ts';

/**
 * Every visible string of the page (text, placeholders, accessible names),
 * leaving out data: what lies inside [data-i18n-data] (addresses, region and
 * people's names, descriptions), the signed-in user's name, and the language
 * switch (which names the other language on purpose). SvelteKit's route
 * announcer is left out too: it read the title out at the last navigation.
 */
const COLLECT_VISIBLE_TEXT = `(() => {
  const skip = (element) =>
    element.closest(
      '[data-i18n-data], .language-switch, .user-name, #svelte-announcer, script, style',
    );
  const visible = (element) =>
    element.checkVisibility({ visibilityProperty: true, opacityProperty: true }) &&
    element.getClientRects().length > 0;
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || skip(parent) || !visible(parent)) continue;
    texts.push(text);
  }
  for (const element of document.body.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (skip(element) || !visible(element)) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = element.getAttribute(name);
      if (value) texts.push(value.trim());
    }
  }
  return texts;
})()`;

const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
/** Ticket codes (GL-20261122-7K3Q9) are data in both languages. */
const CODE = /\b[A-Z]{2}-\d{6,8}-[A-Z0-9]+\b/g;
/** Words the Chinese page may show as they are: brand-neutral protocol names. */
const SAME_IN_BOTH = new Set(['Open311']);

async function visibleTexts(page: Page): Promise<string[]> {
  return (await page.evaluate(COLLECT_VISIBLE_TEXT)) as string[];
}

function englishWords(texts: readonly string[]): string[] {
  return texts
    .flatMap((text) => text.replace(CODE, ' ').match(/[A-Za-z]{2,}\w*/g) ?? [])
    .filter((word) => !SAME_IN_BOTH.has(word));
}

describe('/dispatch language switch', () => {
  let system: TestSystem;
  let browser: Browser;
  let ticket: TicketSummary;

  beforeAll(async () => {
    system = await startSystem({ web: true, timeScale: 1 });
    browser = await launchChromium();
    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const post = async (body: object) => {
      const response = await fetch(`${system.baseUrl}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { ticket: TicketSummary }).ticket;
    };
    ticket = await post({
      categoryCode: 'NOISE',
      priority: 'HIGH',
      description: '夜间施工噪音',
      address: '和平街道健身社区 3 号楼',
      reporter: { name: '王女士', phone: '13812345678' },
      location: grid.body.region.centroid,
    });
    await post({
      categoryCode: 'NOISE',
      priority: 'LOW',
      description: '狗叫',
      location: grid.body.region.centroid,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  for (const viewport of [
    { width: 1280, height: 800, name: 'desktop' },
    { width: 360, height: 740, name: 'phone' },
  ]) {
    it(`changes every visible string, both ways (${viewport.name})`, async () => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await openDispatch(page, system.baseUrl, `?ticket=${ticket.id}`);
      const drawer = page.locator('[data-testid="ticket-drawer"]');
      await drawer.locator('[data-testid="drawer-timeline"] li').first().waitFor();
      // Open a form so that its strings are checked too.
      await drawer.locator('[data-testid="action-assign"]').click();
      await drawer.locator('[data-testid="assign-select"]').waitFor();
      await page.locator('[data-testid="region-path"]').waitFor();
      await page.locator('[data-testid="dispatch-map"][data-marker-count="2"]').waitFor();
      await screenshot(page, `dispatch-${viewport.name}-drawer-zh`);

      const zhTexts = await visibleTexts(page);
      expect(zhTexts.filter((text) => HAN.test(text)).length).toBeGreaterThan(10);
      expect(englishWords(zhTexts)).toEqual([]);

      await page.locator('.language-switch').first().click();
      await page.waitForFunction("document.documentElement.lang === 'en'");
      const enTexts = await visibleTexts(page);
      expect(enTexts.filter((text) => HAN.test(text))).toEqual([]);
      expect(englishWords(enTexts).length).toBeGreaterThan(10);
      await screenshot(page, `dispatch-${viewport.name}-drawer-en`);

      // Close the drawer and look at the map and the queue in English, then back in Chinese.
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      if (viewport.name === 'phone') {
        await screenshot(page, `dispatch-phone-map-en`);
        await page.locator('[data-testid="tab-list"]').click();
        await page.locator('[data-testid="ticket-list"]').waitFor();
      }
      expect((await visibleTexts(page)).filter((text) => HAN.test(text))).toEqual([]);
      await screenshot(page, `dispatch-${viewport.name}-en`);

      await page.locator('.language-switch').first().click();
      await page.waitForFunction("document.documentElement.lang === 'zh-CN'");
      expect(englishWords(await visibleTexts(page))).toEqual([]);
      await screenshot(page, `dispatch-${viewport.name}-zh`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
