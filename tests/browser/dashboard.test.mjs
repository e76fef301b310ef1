// The dashboard Mini App (issue #18) in a real headless Chromium: an English sandbox host plays a drill (the
// administrator launches, the North convenor relays, Wang Fang arrives, Li Na is on her way), then:
// - the administrator's chat menu button (set by the bot with setChatMenuButton) opens /app with initData signed by
//   the emulator, and the board shows M-1 with North, Centre and South; the "📊 Dashboard" button under the North
//   convenor's live roll call opens North's board only;
// - at phone size (390×844) the administrator's board (light) and the North convenor's (Telegram's dark themeParams)
//   are saved as screenshots; the convenor sees North only;
// - the convenor opens North: timeline, the arrival map around the rally point (SVG), Yang Tao not answered with a
//   phone button (saved as DASH_REGION);
// - a member gets the "for administrators and convenors" page, a tampered initData the "expired" page;
// - Yang Tao presses "arrived" in the chat and the administrator's open board shows it within 2 s, without a reload;
// - Grandma Hu files a wish and a complaint in her chat; the administrator's queues tab shows both (saved as
//   DASH_QUEUES) and approves the wish from the page; then the figures tab (12 months, the period switch; saved as DASH_FIGURES) and
//   back, then closes M-1 from the board: the report comes to the chat;
// - the "📊 Dashboard" button under that report opens M-1's final board (closed, no close button; saved as DASH_CLOSED),
//   a region of it in detail, and "‹ Open musters" the live board;
// - the street's director (3001) launches a drill for both communities in the chat: their board has one row per
//   community (saved as DASH_STREET); a row opens that community's part read-only, a region of it in detail (saved as
//   DASH_DRILL), and back; the street's queues and figures (one row per community; saved as DASH_STREET_FIGURES) each
//   open a community's, with nothing to act on;
// - before the close, the administrator starts the welfare check of vulnerable households from the roll call, Wang Fang
//   reports a household that needs medicine, and the board shows the check (saved as DASH_WELFARE).
//
//   cd tests/browser && npm ci && node dashboard.test.mjs
//
// Environment: CHROMIUM, MUSTERBOT_NO_BUILD, MUSTERBOT_CONFIGURATION as for sandbox.test.mjs; DASH_* are the
// screenshots' paths (default: the temp folder; docs/dashboard*.png are made with these set).
import os from 'node:os';
import path from 'node:path';
import { log, requireCjkFonts, startHost, launchBrowser, openPage, playDrill, EN } from './harness.mjs';

const adminShot = path.resolve(process.env.DASH_ADMIN || path.join(os.tmpdir(), 'musterbot-dashboard-admin.png'));
const convenorShot = path.resolve(process.env.DASH_CONVENOR || path.join(os.tmpdir(), 'musterbot-dashboard-convenor.png'));
const regionShot = path.resolve(process.env.DASH_REGION || path.join(os.tmpdir(), 'musterbot-dashboard-region.png'));
const figuresShot = path.resolve(process.env.DASH_FIGURES || path.join(os.tmpdir(), 'musterbot-dashboard-figures.png'));
const queuesShot = path.resolve(process.env.DASH_QUEUES || path.join(os.tmpdir(), 'musterbot-dashboard-queues.png'));
const closedShot = path.resolve(process.env.DASH_CLOSED || path.join(os.tmpdir(), 'musterbot-dashboard-closed.png'));
const streetShot = path.resolve(process.env.DASH_STREET || path.join(os.tmpdir(), 'musterbot-dashboard-street.png'));
const drillShot = path.resolve(process.env.DASH_DRILL || path.join(os.tmpdir(), 'musterbot-dashboard-drill.png'));
const welfareShot = path.resolve(process.env.DASH_WELFARE || path.join(os.tmpdir(), 'musterbot-dashboard-welfare.png'));
const streetFiguresShot = path.resolve(process.env.DASH_STREET_FIGURES || path.join(os.tmpdir(), 'musterbot-dashboard-street-figures.png'));
const PHONE = { width: 390, height: 844 };
const DARK = { bg_color: '#17212b', text_color: '#f5f5f5', hint_color: '#708499', secondary_bg_color: '#232e3c', link_color: '#6ab3f3', button_color: '#5288c1' };

function check(condition, message) { if (!condition) { throw new Error(message); } }

log('CJK font:', requireCjkFonts());
const host = await startHost(['--Sandbox:Language=en']);
let browser;
let failed = false;
try {
  browser = await launchBrowser();
  const h = await openPage(browser, host.base);
  await playDrill(h, EN, [['Li Na', /on my way/i]], { pin: true });
  // Li Na shares where she is, about 300 m north-east of the rally point (the page's default spot).
  const shared = await fetch(`${host.base}/_emulator/users/1302/location`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ latitude: 31.2324, longitude: 121.4757 }),
  });
  check(shared.ok, 'Li Na could not share a location');
  log('drill played with a rally pin; Li Na shared her location');

  // The sandbox's button opens the Mini App as the person being played (the administrator).
  await h.as(EN.admin);
  const [popup] = await Promise.all([h.page.waitForEvent('popup'), h.page.click('#dashBtn')]);
  await popup.locator('.muster h2', { hasText: 'M-1' }).waitFor({ timeout: 20_000 });
  const regions = await popup.locator('.region').evaluateAll(els => els.map(e => e.dataset.region));
  check(JSON.stringify(regions) === '["r1","r2","r3"]', 'the administrator sees regions ' + JSON.stringify(regions));
  check(await popup.locator('#title').textContent() === '📊 Dashboard', 'the dashboard title is not English');
  await popup.close();
  log('the administrator\'s menu button (📊 Dashboard) opened their board');

  // The convenor opens it from the button under their live roll call.
  await h.as(EN.convenor);
  const [fromRollCall] = await Promise.all([
    h.page.waitForEvent('popup'),
    h.page.locator('#chat .inline button', { hasText: '📊 Dashboard' }).last().click(),
  ]);
  await fromRollCall.locator('.region[data-region="r1"]').waitFor({ timeout: 20_000 });
  check(await fromRollCall.locator('.region').count() === 1, 'the convenor\'s board shows more than North');
  check(!(await h.page.locator('#dashBtn').isVisible()), 'a convenor has the administrators\' menu button');
  await fromRollCall.close();
  log('the convenor\'s roll-call button opened North\'s board');

  const initData = async (id) => (await (await fetch(`${host.base}/_emulator/users/${id}/webapp`)).json()).result.init_data;
  const open = async (id, theme) => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    page.on('dialog', d => d.accept());
    const hash = 'tgWebAppData=' + encodeURIComponent(await initData(id)) + (theme ? '&tgWebAppThemeParams=' + encodeURIComponent(JSON.stringify(theme)) : '');
    await page.goto(`${host.base}/app#${hash}`);
    return { page, errors };
  };
  const count = (page, region, status) => page.evaluate(({ region, status }) =>
    Number(document.querySelector(`.region[data-region="${region}"] rect[data-status="${status}"]`)?.dataset.count ?? 0), { region, status });

  // The administrator on a phone, light theme.
  const admin = await open(1001);
  await admin.page.locator('.region[data-region="r1"] rect[data-status="arrived"]').waitFor();
  check(await count(admin.page, 'r1', 'arrived') === 1, 'North does not show 1 arrived');
  check(await count(admin.page, 'r1', 'onTheWay') === 1, 'North does not show 1 on the way');
  const firstRender = Number(await admin.page.evaluate(() => document.body.dataset.firstRenderMs));
  log(`the administrator's board was on the screen ${firstRender} ms after the page began loading`);
  check(firstRender > 0 && firstRender <= 1000, `the board took ${firstRender} ms to show`);
  await admin.page.screenshot({ path: adminShot });
  log('saved', adminShot);

  // The North convenor on a phone, Telegram's dark theme: North only.
  const convenor = await open(1101, DARK);
  await convenor.page.locator('.region[data-region="r1"]').waitFor();
  check(await convenor.page.locator('.region').count() === 1, 'the convenor sees more than North');
  const bg = await convenor.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(bg === 'rgb(23, 33, 43)', 'the dark theme was not applied: ' + bg);
  await convenor.page.screenshot({ path: convenorShot });
  log('saved', convenorShot);

  // North in detail: the timeline, the map around the rally point, who has not answered with a phone button.
  await convenor.page.locator('.region[data-region="r1"]').click();
  await convenor.page.locator('[data-detail="r1"]').waitFor();
  await convenor.page.locator('svg.map circle[data-status="OnTheWay"]').waitFor();
  check(await convenor.page.locator('svg.map circle[data-status]').count() === 2, 'the map does not show Wang Fang and Li Na');
  check(await convenor.page.locator('svg.chart path[data-series="answered"]').getAttribute('data-count') === '2', 'the timeline does not count 2 answers');
  const waiting = await convenor.page.locator('ul.people li').allTextContents();
  check(waiting.length === 1 && waiting[0].includes('Yang Tao'), 'not answered should be Yang Tao alone: ' + JSON.stringify(waiting));
  check((await convenor.page.locator('ul.people li a').getAttribute('href') || '').startsWith('tel:'), 'no call button for Yang Tao');
  await convenor.page.screenshot({ path: regionShot, fullPage: true });
  log('saved', regionShot);
  await convenor.page.click('#back');
  await convenor.page.locator('.muster h2', { hasText: 'M-1' }).waitFor();

  // A member: no board, a polite page. A tampered initData: the "open it again" page.
  const member = await open(1301);
  await member.page.locator('#refused', { hasText: 'for administrators and convenors' }).waitFor();
  const tampered = await browser.newPage({ viewport: PHONE });
  const forged = (await initData(1301)).replace('%22id%22%3A1301', '%22id%22%3A1001');
  await tampered.goto(`${host.base}/app#tgWebAppData=${encodeURIComponent(forged)}`);
  await tampered.locator('#refused', { hasText: 'expired' }).waitFor();
  log('a member and a tampered initData are refused');

  // A check-in in the chat moves the open board within 2 s.
  const messages = (await (await fetch(`${host.base}/_emulator/chats/1303/messages`)).json()).result.messages;
  const order = messages.filter(m => (m.reply_markup?.inline_keyboard ?? []).flat().some(b => /arrived/i.test(b.text))).at(-1);
  check(order, 'Yang Tao has no order with an "arrived" button');
  const button = order.reply_markup.inline_keyboard.flat().find(b => /arrived/i.test(b.text));
  const pressed = Date.now();
  await fetch(`${host.base}/_emulator/users/1303/press`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ chat_id: 1303, message_id: order.message_id, callback_data: button.callback_data }),
  });
  // Polled from here (the page's Content-Security-Policy forbids the eval that waitForFunction would need).
  while (await count(admin.page, 'r1', 'arrived') !== 2 && Date.now() - pressed < 5000) { await new Promise(r => setTimeout(r, 25)); }
  const moved = Date.now() - pressed;
  log(`the board showed the check-in ${moved} ms after the press`);
  check(moved <= 2000, `the board moved after ${moved} ms`);

  // Grandma Hu files a wish and a complaint in her chat; the administrator's queues tab shows both, the complaint with
  // its countdown, and approves the wish from the page.
  const json = { 'Content-Type': 'application/json' };
  const messagesOf = async (id) => (await (await fetch(`${host.base}/_emulator/chats/${id}/messages`)).json()).result.messages;
  const sendText = (id, text) => fetch(`${host.base}/_emulator/users/${id}/text`, { method: 'POST', headers: json, body: JSON.stringify({ text }) });
  const click = async (id, label) => {
    for (const started = Date.now(); Date.now() - started < 15_000; await new Promise(r => setTimeout(r, 100))) {
      const m = (await messagesOf(id)).filter(x => (x.reply_markup?.inline_keyboard ?? []).flat().some(b => label.test(b.text))).at(-1);
      if (m) {
        const b = m.reply_markup.inline_keyboard.flat().find(x => label.test(x.text));
        await fetch(`${host.base}/_emulator/users/${id}/press`, { method: 'POST', headers: json, body: JSON.stringify({ chat_id: id, message_id: m.message_id, callback_data: b.callback_data }) });
        await new Promise(r => setTimeout(r, 300));
        return;
      }
    }
    throw new Error(`no button ${label} in ${id}'s chat: ` + JSON.stringify((await messagesOf(id)).slice(-3).map(m => [m.text, m.reply_markup])));
  };
  const waitText = async (id, text) => {
    for (const started = Date.now(); Date.now() - started < 15_000; await new Promise(r => setTimeout(r, 100))) {
      if ((await messagesOf(id)).some(m => m.from_bot && text.test(m.text || ''))) { return; }
    }
    throw new Error(`the bot did not say ${text} to ${id}`);
  };
  await sendText(1401, '/wish');
  await waitText(1401, /File a micro-wish/);
  await sendText(1401, 'Please fix the stair light in Building 1');
  await click(1401, /No photo/);
  await click(1401, /daily life/i);
  await click(1401, /Within a week/);
  await click(1401, /Submit/);
  await sendText(1401, '/complain');
  await click(1401, /noise/i);
  await waitText(1401, /Please describe/);
  await sendText(1401, 'Loud music every night after 11 pm');
  await click(1401, /No photo/);
  await click(1401, /No location/);
  await click(1401, /With my name/);
  await click(1401, /Submit/);
  log('Grandma Hu filed a wish and a complaint in her chat');

  await admin.page.locator('nav#tabs button[data-tab="queues"]').click();
  await admin.page.locator('h3', { hasText: 'Open complaints (1)' }).waitFor();
  await admin.page.locator('h3', { hasText: 'Wishes (1)' }).waitFor();
  check(/reply within/.test(await admin.page.locator('[data-complaint="C-0001"] .due').textContent()), 'the complaint has no reply countdown');
  await admin.page.screenshot({ path: queuesShot, fullPage: true });
  log('saved', queuesShot);
  await admin.page.locator('button[data-approve="1"]').click();
  await admin.page.locator('[data-wish="W-0001"]', { hasText: 'open for claims' }).waitFor();
  log('the administrator approved W-0001 from the page');
  // The figures tab: the 12-month chart and the period switch.
  await admin.page.locator('nav#tabs button[data-tab="figures"]').click();
  await admin.page.locator('svg.chart rect[data-month]').first().waitFor({ state: 'attached' });
  check(await admin.page.locator('svg.chart rect[data-month]').count() === 12, 'the trend does not show 12 months');
  await admin.page.locator('nav.periods button[data-period="all"]').click();
  await admin.page.locator('nav.periods button.on[data-period="all"]').waitFor();
  await admin.page.screenshot({ path: figuresShot, fullPage: true });
  log('saved', figuresShot);
  await admin.page.locator('nav#tabs button[data-tab="board"]').click();
  await admin.page.locator('.muster h2', { hasText: 'M-1' }).waitFor();
  check(!(await convenor.page.locator('nav#tabs').isVisible()), 'a convenor sees the queues tab');
  log('the administrator switched to the queues and back; a convenor has no queues tab');

  // The welfare check (issue #19): the administrator starts it from the roll call in the chat; Wang Fang (arrived,
  // Building 1) is given her building's households and reports one that needs medicine; the board shows the check.
  await h.as(EN.admin);
  await h.press('🏠 Check vulnerable households', 'check vulnerable households');
  await h.press('▶️ Start', 'checking');
  await h.as(EN.member);
  await h.sees('please visit these');
  await h.press('⏳ ', 'Welfare check');
  await h.press('🆘 needs help', 'what is needed?');
  await h.press('💊 medicine', 'Request for help sent');
  await admin.page.locator('.welfare li.open', { hasText: 'medicine' }).waitFor();
  check(await admin.page.locator('.welfare').getAttribute('data-checked') === '1', 'the board does not count 1 household checked');
  check(await admin.page.locator('.welfare').getAttribute('data-total') === '7', 'the board does not show the 7 tagged households');
  await admin.page.locator('#toast').waitFor({ state: 'hidden' });
  await admin.page.screenshot({ path: welfareShot, fullPage: true });
  log('saved', welfareShot);

  // Closing from the board is the chat's "🏁 Yes, close": the report comes to the administrator's chat.
  const before = (await (await fetch(`${host.base}/_emulator/chats/1001/messages`)).json()).result.messages.length;
  await admin.page.locator('button[data-close="1"]').click();
  await admin.page.locator('#main .empty', { hasText: 'No muster is open' }).waitFor();
  let after = [];
  for (const started = Date.now(); Date.now() - started < 15_000; await new Promise(r => setTimeout(r, 100))) {
    after = (await (await fetch(`${host.base}/_emulator/chats/1001/messages`)).json()).result.messages;
    if (after.length > before && after.some(m => /M-1 is closed/.test(m.text || ''))) { break; }
  }
  check(after.some(m => /M-1 is closed/.test(m.text || '')), 'the close did not reach the administrator\'s chat');
  log('closed M-1 from the board; the report is in the chat');

  // The "📊 Dashboard" button under the close report opens M-1's final board; "‹ Open musters" goes to the live one.
  await h.as(EN.admin);
  await h.page.locator('#chat .wrap', { hasText: 'Muster report M-1' }).last().waitFor();
  const [report] = await Promise.all([
    h.page.waitForEvent('popup'),
    h.page.locator('#chat .wrap', { hasText: 'Muster report M-1' }).last().locator('.inline button', { hasText: '📊 Dashboard' }).click(),
  ]);
  await report.waitForLoadState();
  check(new URL(report.url()).search === '?muster=1', 'the report\'s button opened ' + report.url());
  await report.setViewportSize(PHONE);
  await report.locator('.muster h2 .closed').waitFor();
  check(await report.locator('.region[data-open]').count() === 3, 'the final board does not show the three regions');
  check(await report.locator('button[data-close]').count() === 0, 'a closed muster has a close button');
  check(/Closed at \d\d:\d\d/.test(await report.locator('.muster .sub').first().textContent()), 'the final board has no closing time');
  await report.screenshot({ path: closedShot });
  log('saved', closedShot);
  await report.locator('.region[data-region="r1"]').click();
  await report.locator('[data-detail="r1"]').waitFor();
  await report.click('#back');
  await report.locator('#trail button', { hasText: 'Open musters' }).click();
  await report.locator('#main .empty', { hasText: 'No muster is open' }).waitFor();
  const reportErrors = [];
  report.on('pageerror', e => reportErrors.push(String(e)));
  await report.close();
  log('the close report\'s button opened the final board of M-1, and its way back the live board');

  // The street's director launches a drill for both communities in the chat; their board has one row per community.
  const street = 3001;
  await sendText(street, '/muster');
  await click(street, /Every community below/);
  await click(street, /^✅ Done|Done/);
  await click(street, /Flood/);
  await click(street, /All members/);
  await click(street, /Own community/);
  await click(street, /^Skip|Skip/);
  await click(street, /within 1 h/);
  await click(street, /🧪 Drill/);
  await click(street, /Send the drill order/);
  await waitText(street, /Roll call/);
  const director = await open(street);
  await director.page.locator('.region[data-node]').nth(1).waitFor();
  const rows = await director.page.locator('.region[data-node]').evaluateAll(els => els.map(e => e.dataset.name).sort());
  check(JSON.stringify(rows) === '["Harbour Community","Xinhe Community"]', 'the street\'s board rows are ' + JSON.stringify(rows));
  check(await director.page.locator('#who').textContent().then(t => t.includes('Dongcheng Street')), 'the street\'s board is not titled with the street');
  await director.page.screenshot({ path: streetShot });
  log('saved', streetShot);

  // A row opens that community's part of the muster, region by region, read-only, with the way back.
  await director.page.locator('.region[data-name="Harbour Community"]').click();
  await director.page.locator('#trail', { hasText: 'Viewing Harbour Community' }).waitFor();
  await director.page.locator('.region[data-open][data-region="r1"]').waitFor();
  check(await director.page.locator('button[data-close]').count() === 0, 'the street\'s director may close the community\'s part from the page');
  await director.page.locator('.region[data-region="r1"]').click();
  await director.page.locator('[data-detail="r1"] ul.people li').first().waitFor();
  await director.page.screenshot({ path: drillShot, fullPage: true });
  log('saved', drillShot);
  await director.page.click('#back');
  await director.page.locator('#trail #up').click();
  await director.page.locator('.region[data-name="Xinhe Community"]').waitFor();
  check(await director.page.locator('#trail').isHidden(), 'the way back is still shown at the street');

  // The street's queues and figures: one row per community; a row opens that community's, read-only.
  await director.page.locator('nav#tabs button[data-tab="queues"]').click();
  await director.page.locator('.item[data-name="Xinhe Community"]').click();
  await director.page.locator('#trail', { hasText: 'Viewing Xinhe Community' }).waitFor();
  await director.page.locator('h3', { hasText: 'Wishes' }).waitFor();
  check(await director.page.locator('button[data-approve], select[data-assign], form[data-extend]').count() === 0, 'the street\'s director can act on a community\'s queue');
  await director.page.locator('#trail #up').click();
  await director.page.locator('nav#tabs button[data-tab="figures"]').click();
  await director.page.locator('.frow[data-name="Harbour Community"]').waitFor();
  check(await director.page.locator('svg.chart rect[data-month]').count() === 12, 'the street\'s trend does not show 12 months');
  await director.page.screenshot({ path: streetFiguresShot, fullPage: true });
  log('saved', streetFiguresShot);

  // Inside Telegram's apps the CSV button asks Telegram to download a signed link (downloadFile), which works
  // without the page's initData: played here by a stand-in for the mobile apps' TelegramWebviewProxy.
  await director.page.evaluate(() => { window.__events = []; window.TelegramWebviewProxy = { postEvent: (type, data) => window.__events.push([type, data]) }; });
  await director.page.locator('button.csv[data-table="child"]').click();
  let events = [];
  for (const started = Date.now(); events.length === 0 && Date.now() - started < 5000; await new Promise(r => setTimeout(r, 50))) {
    events = await director.page.evaluate(() => window.__events);
  }
  check(events.length === 1 && events[0][0] === 'web_app_request_file_download', 'no downloadFile event: ' + JSON.stringify(events));
  const download = JSON.parse(events[0][1]);
  check(download.file_name === 'child-month.csv', 'the download is named ' + download.file_name);
  const linked = await fetch(download.url);
  const linkedCsv = await linked.text();
  check(linked.ok && linkedCsv.includes('Harbour Community') && linkedCsv.includes('Xinhe Community'), `the signed link gave ${linked.status}: ${linkedCsv.slice(0, 200)}`);
  check((await fetch(download.url.replace('table=child', 'table=trend'))).status === 401, 'an altered link was not refused');
  log('inside Telegram the CSV goes through downloadFile with a signed link; an altered link is refused');
  await director.page.locator('.frow[data-name="Harbour Community"]').click();
  await director.page.locator('#trail', { hasText: 'Viewing Harbour Community' }).waitFor();
  await director.page.locator('h3', { hasText: 'Complaints by category' }).waitFor();
  log('the street\'s director drilled from the street into each community on every tab, read-only');

  const errors = [...h.errors, ...admin.errors, ...convenor.errors, ...member.errors, ...director.errors, ...reportErrors];
  check(errors.length === 0, 'page errors: ' + errors.join('; '));
  console.log('dashboard browser test passed');
} catch (e) {
  failed = true;
  console.error('FAILED:', e);
  console.error(host.tail());
} finally {
  await browser?.close();
  host.stop();
}
process.exit(failed ? 1 : 0);
