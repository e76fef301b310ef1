// The sandbox web chat in a real headless Chromium (issues #8, #14).
// Checks the machine has a CJK font (fc-list :lang=zh), then starts two hosts in sandbox mode (no token) on free ports:
// - English (--Sandbox:Language=en): plays a drill muster through the page: the administrator launches it with /muster,
//   the North convenor acknowledges and relays, a member presses "arrived" and shares a location through 📎, and the
//   convenor's live roll call (one message, edited in place) shows the arrival. Unread badges mark people who got
//   something since their chat was last viewed; times are in the community's zone (+08:00). Saves a screenshot. Then a
//   resident shares a contact, sends a CSV and a photo (shown as an image), and "Reset demo" empties the chats.
// - Chinese (the default, with --Muster:UtcOffset=05:30): the page's labels and the demo people are Chinese, times
//   follow the configured zone; at 390×844 (a phone) the people list is a drawer, the chat takes the whole width, the
//   ☰ button counts unread messages. Saves a phone screenshot.
//
//   cd tests/browser && npm ci && node sandbox.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium), SCREENSHOT and PHONE_SCREENSHOT (default in the temp folder;
// docs/sandbox*.png are made by screenshot.mjs), MUSTERBOT_NO_BUILD=1 to pass --no-build to dotnet run (the two hosts
// then start at once); MUSTERBOT_CONFIGURATION=Release (or Debug) to run that build.
import os from 'node:os';
import path from 'node:path';
import { log, WAIT, requireCjkFonts, startHost, launchBrowser, openPage, playDrill, EN, samplePng } from './harness.mjs';

const screenshot = path.resolve(process.env.SCREENSHOT || path.join(os.tmpdir(), 'musterbot-sandbox.png'));
const phoneShot = path.resolve(process.env.PHONE_SCREENSHOT || path.join(os.tmpdir(), 'musterbot-sandbox-phone.png'));

function check(condition, message) { if (!condition) { throw new Error(message); } }

/** Every message's time in the page is its (edit) time in the given UTC offset, as "HH:mm" at the end of its meta line. */
async function checkTimes(page, chatId, offsetMinutes) {
  const wrong = await page.evaluate(async ({ chatId, offsetMinutes }) => {
    const all = (await (await fetch(`/_emulator/chats/${chatId}/messages`)).json()).result.messages;
    const bad = [];
    for (const m of all) {
      const d = new Date(((m.edit_date || m.date) + offsetMinutes * 60) * 1000);
      const want = String(d.getUTCHours()).padStart(2, '0') + ':' + String(d.getUTCMinutes()).padStart(2, '0');
      const meta = document.querySelector(`#chat .msg[data-message-id="${m.message_id}"] .meta`)?.textContent ?? '(missing)';
      if (!meta.endsWith(want)) { bad.push(`message ${m.message_id}: "${meta}", expected ${want}`); }
    }
    return all.length === 0 ? ['no messages to check'] : bad;
  }, { chatId, offsetMinutes });
  check(wrong.length === 0, `times not in UTC${offsetMinutes / 60}: ` + wrong.join('; '));
}

const badge = (page, id) => page.locator(`#people .persona[data-id="${id}"] .unread`).textContent();

log('CJK font:', requireCjkFonts());
const hosts = [];
let browser;
let failed = false;
try {
  const enArgs = ['--Sandbox:Language=en'];
  const zhArgs = ['--Muster:UtcOffset=05:30'];
  if (process.env.MUSTERBOT_NO_BUILD === '1') {
    hosts.push(...await Promise.all([startHost(enArgs), startHost(zhArgs)]));
  } else {
    hosts.push(await startHost(enArgs));
    process.env.MUSTERBOT_NO_BUILD = '1';   // built once is enough
    hosts.push(await startHost(zhArgs));
  }
  const [en, zh] = hosts;
  log('hosts are up at', en.base, '(en) and', zh.base, '(zh)');
  browser = await launchBrowser();

  // ---- English: the drill, badges, times, a resident's contact, CSV and photo, reset ----
  const h = await openPage(browser, en.base);
  const { page, sees, as } = h;
  log('page loaded');
  check(await page.getAttribute('html', 'lang') === 'en', 'the English page is not lang=en');
  check((await page.textContent('#reset')).includes('Reset demo'), 'the reset button is not labelled "Reset demo"');
  await page.locator('#title', { hasText: 'Secretary Li' }).waitFor();
  const rollCallId = await playDrill(h, EN);

  // Unread badges: the Centre convenor got the order and has not been looked at; viewing the chat clears the badge.
  const centre = await page.evaluate(async () => (await (await fetch('/_emulator/chats/1102/messages')).json()).result.messages.filter(m => m.from_bot).length);
  check(centre > 0, 'the Centre convenor got no order');
  await page.waitForFunction((n) => document.querySelector('#people .persona[data-id="1102"] .unread')?.textContent === String(n), centre, { timeout: WAIT });
  check(await badge(page, 1301) === '', 'the member being viewed has an unread badge');
  await as('Chen Jing');
  // The badge clears once the page has shown the chat (it may still be fetching the messages when `as` returns).
  const cleared = await page.waitForFunction(() => (document.querySelector('#people .persona[data-id="1102"] .unread')?.textContent ?? '') === '', null, { timeout: WAIT }).then(() => true, () => false);
  check(cleared, 'viewing the Centre convenor did not clear the badge');
  log('unread badges: the Centre convenor had', centre, 'and none once viewed');

  // Back to the convenor: the same roll-call message now counts the arrival.
  await as('Zhang Wei');
  const edited = page.locator(`#chat .msg[data-message-id="${rollCallId}"]`);
  await page.waitForFunction(
    (id) => /arrived 1/.test(document.querySelector(`#chat .msg[data-message-id="${id}"]`)?.textContent || ''),
    rollCallId,
    { timeout: WAIT });
  const text = await edited.textContent();
  check(text.includes('Roll call M-1 · North'), 'the roll call message changed identity: ' + text);
  check((await page.locator('#chat .msg', { hasText: 'Roll call M-1 · North' }).count()) === 1, 'the roll call was sent again instead of edited');
  check((await edited.locator('.meta').textContent()).includes('edited'), 'the roll call is not marked edited');
  log('the convenor sees the roll call change in place:', text.split('\n').find(l => l.includes('arrived')) ?? '');
  await checkTimes(page, 1101, 8 * 60);
  log('message times are in UTC+8 (the default Muster:UtcOffset)');
  check(h.errors.length === 0, 'page errors: ' + h.errors.join('; '));
  await page.screenshot({ path: screenshot, animations: 'disabled' });
  log('screenshot saved to', screenshot);

  // A resident: 📎 → "Share my contact", a CSV document and a photo outside any step each get a polite answer.
  await as('Grandma Hu');
  const before = await page.locator('#chat .msg').count();
  await page.click('#attachBtn');
  await page.locator('#attach button[data-act="contact"]').click();
  await page.waitForFunction((n) => document.querySelectorAll('#chat .msg').length >= n + 2, before, { timeout: WAIT });
  await page.setInputFiles('#docFile', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from('name,phone\nTest,13800000000\n') });
  await sees('roster.csv');
  await page.waitForFunction((n) => document.querySelectorAll('#chat .msg').length >= n + 4, before, { timeout: WAIT });
  await page.setInputFiles('#photoFile', { name: 'leak.png', mimeType: 'image/png', buffer: samplePng(120, 80) });
  // The photo is an image with the sent pixels (served by the emulator), not a placeholder.
  await page.waitForFunction(() => [...document.querySelectorAll('#chat .msg img.photo')].some(i => i.complete && i.naturalWidth === 120 && i.naturalHeight === 80), null, { timeout: WAIT });
  await page.waitForFunction((n) => document.querySelectorAll('#chat .msg').length >= n + 6, before, { timeout: WAIT });
  log('the resident shared a contact, sent a CSV and a photo (shown as a 120×80 image); all were answered');

  // "Reset demo" forgets the chats (the drill included) and restores the seed; no badge is left.
  await page.click('#reset');
  await as('Zhang Wei');
  await page.waitForFunction(() => !/Roll call M-1/.test(document.querySelector('#chat')?.textContent || ''), null, { timeout: WAIT });
  // Not just an empty screen: the emulator itself holds no messages of the convenor any more.
  const left = await page.evaluate(async () => (await (await fetch('/_emulator/chats/1101/messages')).json()).result.messages.length);
  check(left === 0, `reset left ${left} messages in the convenor's chat`);
  check((await page.locator('#people .unread').allTextContents()).every(t => t === ''), 'badges are left after the reset');
  log('reset demo emptied the chats');
  check(h.errors.length === 0, 'page errors: ' + h.errors.join('; '));

  // ---- Chinese (the default): labels, people, time zone; the phone layout ----
  const z = await openPage(browser, zh.base);
  const zp = z.page;
  check(await zp.getAttribute('html', 'lang') === 'zh-CN', 'the Chinese page is not lang=zh-CN');
  check((await zp.textContent('#reset')).includes('重置演示'), 'the reset button is not labelled 重置演示');
  check((await zp.textContent('#menuBtn')).includes('菜单'), 'the menu button is not labelled 菜单');
  check(await zp.getAttribute('#text', 'placeholder') === '输入消息', 'the input is not labelled 输入消息');
  check((await zp.textContent('#fonts')).includes('fonts-noto-cjk'), 'the page does not name the CJK font package');
  const people = await zp.locator('#people .persona').allTextContents();
  check(people.length === 26, `${people.length} people in the list, expected 26 (the street's director, 21 in 港湾社区, 4 in 新河社区)`);
  // The list is grouped by the organisation tree: the street, then each of its two communities.
  const groups = await zp.locator('#people .group').allTextContents();
  check(groups.join(' | ') === '东城街道 | 东城街道 · 港湾社区 | 东城街道 · 新河社区', 'the people list groups: ' + groups.join(' | '));
  for (const want of ['王主任街道主任 · 东城街道', '钱娟网格员 · 新河网格', '冯阿姨居民 · 新河网格 5号楼']) {
    check(people.some(p => p.includes(want)), `the people list lacks ${want}: ${people.join(' | ')}`);
  }
  for (const want of ['李书记管理员', '张伟召集人 · 北片', '赵敏网格员 · 港湾网格', '王芳党员 · 北片', '胡奶奶居民 · 港湾网格 1号楼', '郭大爷居民 · 港湾网格 2号楼']) {
    check(people.some(p => p.includes(want)), `the people list lacks ${want}: ${people.join(' | ')}`);
  }
  check(!people.some(p => /[A-Za-z]{3,}/.test(p)), 'English names in the Chinese list: ' + people.join(' | '));
  await z.as('胡奶奶');
  check((await zp.textContent('#subtitle')).includes('居民 · 港湾网格 1号楼'), 'the subtitle does not show the role in Chinese');
  await zp.locator('#startBtn', { hasText: '开始' }).click();
  await zp.locator('#chat .msg.bot').first().waitFor();
  await checkTimes(zp, 1401, 5 * 60 + 30);
  log('the Chinese page: labels, 26 Chinese people by street and community, START = 开始, times in UTC+5:30 (Muster:UtcOffset)');
  check(z.errors.length === 0, 'page errors: ' + z.errors.join('; '));

  const m = await openPage(browser, zh.base, { width: 390, height: 844 }, '#1401');
  const mp = m.page;
  await mp.locator('#title', { hasText: '胡奶奶' }).waitFor();
  const box = (sel) => mp.evaluate((s) => { const r = document.querySelector(s).getBoundingClientRect(); return { left: r.left, right: r.right, width: r.width }; }, sel);
  check((await box('#side')).right <= 0, 'the people list is on screen at 390 px: ' + JSON.stringify(await box('#side')));
  check((await box('#chat')).width >= 388, 'the chat does not take the whole width: ' + JSON.stringify(await box('#chat')));
  check(await mp.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the page scrolls sideways at 390 px');
  check(await mp.locator('#peopleBtn').isVisible() && (await mp.textContent('#peopleBtn')).includes('人员'), 'no ☰ 人员 button on the phone');
  await mp.locator('#chat .msg.bot').first().waitFor();
  check(await mp.evaluate(() => [...document.querySelectorAll('#chat .msg, #chat .inline')].every(e => e.getBoundingClientRect().right <= 390)), 'a message sticks out of the phone screen');
  // Someone else gets a message: the ☰ button counts it.
  await mp.evaluate(async () => fetch('/_emulator/users/1402/text', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: '/start' }) }));
  await mp.waitForFunction(() => Number(document.querySelector('#unreadAll')?.textContent || 0) >= 1, null, { timeout: WAIT });
  // The drawer: opens over the chat, shows the badge, and closes when a person is picked.
  await mp.click('#peopleBtn');
  await mp.waitForFunction(() => document.querySelector('#side').getBoundingClientRect().left >= 0, null, { timeout: WAIT });
  check(Number(await badge(mp, 1402)) >= 1, 'the drawer shows no badge for 郭大爷');
  await mp.screenshot({ path: phoneShot.replace(/\.png$/, '-drawer.png'), animations: 'disabled' });
  await mp.locator('.persona', { hasText: '郭大爷' }).click();
  await mp.locator('#title', { hasText: '郭大爷' }).waitFor();
  await mp.waitForFunction(() => document.querySelector('#side').getBoundingClientRect().right <= 0, null, { timeout: WAIT });
  check(await badge(mp, 1402) === '' && await mp.textContent('#unreadAll') === '', 'the badges stay after viewing the chat');
  const bots = await mp.locator('#chat .msg.bot').count();
  await mp.fill('#text', '/help');
  await mp.press('#text', 'Enter');
  await mp.waitForFunction((n) => document.querySelectorAll('#chat .msg.bot').length > n, bots, { timeout: WAIT });
  check(m.errors.length === 0, 'page errors: ' + m.errors.join('; '));
  await mp.screenshot({ path: phoneShot, animations: 'disabled' });
  log('the phone layout at 390×844: drawer, full-width chat, unread count on ☰; screenshot saved to', phoneShot);
} catch (e) {
  failed = true;
  console.error('FAILED:', e);
  for (const host of hosts) { console.error(`--- host log ${host.base} (tail) ---\n` + host.tail()); }
} finally {
  if (browser) { await browser.close().catch(() => {}); }
  for (const host of hosts) { host.stop(); }
}
log(failed ? 'browser test FAILED' : 'browser test passed');
process.exit(failed ? 1 : 0);
