// How long the dashboard takes to draw in headless Chromium at phone size (issue #18 point 8), against a running host
// (the bench's check-in scenario with --board 1 starts this after its 10,000 members are called):
//   node board-render.mjs <base url> <initData> [loads]
// For each of `loads` fresh pages: the board's first figures on the screen (ms after the page began loading, the page's
// own body.dataset.firstRenderMs), then the first region tapped and drawn in detail (ms from the tap). Prints one line:
//   BOARD_RENDER {"board":[…ms],"region":[…ms],"regions":N,"notAnswered":N}
import { launchBrowser } from './harness.mjs';

const [base, initData, loadsArg] = process.argv.slice(2);
if (!base || !initData) { console.error('usage: node board-render.mjs <base url> <initData> [loads]'); process.exit(2); }
const loads = Number(loadsArg || 5);
const browser = await launchBrowser();
const result = { board: [], region: [], regions: 0, notAnswered: 0 };
try {
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    await page.goto(`${base}/app#tgWebAppData=${encodeURIComponent(initData)}`);
    await page.locator('.region[data-open]').first().waitFor({ timeout: 30_000 });
    result.board.push(Number(await page.evaluate(() => document.body.dataset.firstRenderMs)));
    result.regions = await page.locator('.region[data-open]').count();
    const tapped = Date.now();
    await page.locator('.region[data-open]').first().click();
    await page.locator('[data-detail] ul.people li, [data-detail] .note').first().waitFor({ timeout: 30_000 });
    result.region.push(Date.now() - tapped);
    result.notAnswered = await page.locator('[data-detail] ul.people li').count();
    if (errors.length > 0) { throw new Error('page errors: ' + errors.join('; ')); }
    await page.close();
  }
} finally {
  await browser.close();
}
console.log('BOARD_RENDER ' + JSON.stringify(result));
