// Each customer page opened in a fresh browser on slow 4G (1.6 Mbit/s down, 750 kbit/s up, 150 ms
// round trips) with the CPU four times slower, then again from its cache (a repeat visit): when the
// gateway's form frame has loaded, when the page is interactive (hydrated: every island live), and
// paydesk's bytes on the wire (headers included) fetched before it was interactive and after.
import { test, type Page } from '@playwright/test';
import * as fs from 'fs';

type PageToOpen = { name: string; url: string };
const pages: PageToOpen[] = JSON.parse(process.env.PAYDESK_PAGE_LOAD_PAGES ?? '[]');
const out = process.env.PAYDESK_PAGE_LOAD_OUT ?? '../target/bench/page-load.json';

const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const CPU_SLOWDOWN = 4;

// Runs in the page before its own scripts: when the document is marked hydrated and when the
// gateway's frame has loaded, on the page's clock (navigation start = 0).
const RECORDER = `
  window.__paydeskLoad = { hydratedAt: null, frameLoadedAt: null };
  new MutationObserver(() => {
    if (window.__paydeskLoad.hydratedAt === null && document.body && document.body.dataset.hydrated === 'true') {
      window.__paydeskLoad.hydratedAt = performance.now();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  document.addEventListener('load', (event) => {
    const target = event.target;
    if (target instanceof HTMLIFrameElement && target.dataset.testid === 'hosted-form' && window.__paydeskLoad.frameLoadedAt === null) {
      window.__paydeskLoad.frameLoadedAt = performance.now();
    }
  }, true);
`;

type Visit = {
  interactiveMs: number | null;
  frameVisibleMs: number | null;
  bytesBeforeInteractive: number;
  bytesAfterInteractive: number;
  files: { path: string; bytes: number; startMs: number; beforeInteractive: boolean }[];
};

async function visit(page: Page, url: string): Promise<Visit> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120_000 });
  // What the page fetches once it is interactive (the next step's chunks), given time to finish.
  await page.waitForLoadState('networkidle');
  return page.evaluate(() => {
    const load = (window as any).__paydeskLoad;
    const origin = location.origin;
    const hydratedAt: number = load.hydratedAt ?? Infinity;
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => r.name.startsWith(origin));
    const files = [navigation, ...resources].map((r) => ({
      path: new URL(r.name).pathname,
      bytes: r.transferSize,
      startMs: Math.round(r.startTime),
      beforeInteractive: r.startTime <= hydratedAt,
    }));
    const sum = (before: boolean) => files.filter((f) => f.beforeInteractive === before).reduce((n, f) => n + f.bytes, 0);
    return {
      interactiveMs: load.hydratedAt === null ? null : Math.round(load.hydratedAt),
      frameVisibleMs: load.frameLoadedAt === null ? null : Math.round(load.frameLoadedAt),
      bytesBeforeInteractive: sum(true),
      bytesAfterInteractive: sum(false),
      files,
    };
  });
}

test('customer pages on slow 4G with a 4x CPU slowdown', async ({ browser }) => {
  const figures: Record<string, { first: Visit; repeat: Visit }> = {};
  for (const { name, url } of pages) {
    const context = await browser.newContext();
    await context.addInitScript(RECORDER);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    const first = await visit(page, url);
    const repeat = await visit(page, url);
    figures[name] = { first, repeat };
    await context.close();
  }
  fs.writeFileSync(out, JSON.stringify(figures, null, 2));
});
