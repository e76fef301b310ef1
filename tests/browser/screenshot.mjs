// The README's pictures of the sandbox, in Chinese (the default): plays a drill muster in the page and saves the North
// convenor's live roll call on a desktop (docs/sandbox.png, 1280×820) and on a phone (docs/sandbox-phone.png, 390×844).
//
//   cd tests/browser && npm ci && node screenshot.mjs
//
// Environment as for sandbox.test.mjs (CHROMIUM, MUSTERBOT_NO_BUILD=1, MUSTERBOT_CONFIGURATION); DESKTOP and PHONE
// override the output paths.
import path from 'node:path';
import { repo, log, requireCjkFonts, startHost, launchBrowser, openPage, playDrill, ZH } from './harness.mjs';

const desktop = path.resolve(repo, process.env.DESKTOP || 'docs/sandbox.png');
const phone = path.resolve(repo, process.env.PHONE || 'docs/sandbox-phone.png');

log('CJK font:', requireCjkFonts());
const host = await startHost();
let browser;
let failed = false;
try {
  browser = await launchBrowser();
  const h = await openPage(browser, host.base);
  const rollCallId = await playDrill(h, ZH, [['李娜', /马上到/], ['杨涛', /已到岗/]]);
  await h.as(ZH.convenor);
  await h.page.waitForFunction(
    (id) => /已到岗 2/.test(document.querySelector(`#chat .msg[data-message-id="${id}"]`)?.textContent || ''),
    rollCallId, { timeout: 20_000 });
  await h.page.screenshot({ path: desktop, animations: 'disabled' });
  log('saved', path.relative(repo, desktop));

  const p = await openPage(browser, host.base, { width: 390, height: 844 }, '#1101');
  await p.page.locator('#title', { hasText: ZH.convenor }).waitFor();
  await p.page.locator(`#chat .msg[data-message-id="${rollCallId}"]`).waitFor();
  await p.page.evaluate(() => { const c = document.querySelector('#chat'); c.scrollTop = c.scrollHeight; });
  await p.page.screenshot({ path: phone, animations: 'disabled' });
  log('saved', path.relative(repo, phone));
  if (h.errors.length || p.errors.length) { throw new Error('page errors: ' + [...h.errors, ...p.errors].join('; ')); }
} catch (e) {
  failed = true;
  console.error('FAILED:', e);
  for (const id of [1001, 1101, 1302]) {
    const r = await (await fetch(`${host.base}/_emulator/chats/${id}/messages`)).json().catch(() => null);
    console.error(id, JSON.stringify(r?.result?.messages?.map(m => m.text ?? m.caption ?? '?')));
  }
  console.error('--- host log (tail) ---\n' + host.tail());
} finally {
  if (browser) { await browser.close().catch(() => {}); }
  host.stop();
}
process.exit(failed ? 1 : 0);
