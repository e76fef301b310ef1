// The sandbox web chat in a real headless Chromium (issue #8).
// Starts the host in sandbox mode (no token) on a free port, opens the page, and plays a drill muster through it:
// the administrator launches it with /muster, the North convenor acknowledges and relays, a member presses
// "arrived" and shares a location through 📎, and the convenor's live roll call (one message, edited in place) shows
// the arrival. Saves a screenshot. Then a resident shares a contact and sends a CSV, and "Reset demo" empties the chats.
//
//   cd tests/browser && npm ci && node sandbox.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium), SCREENSHOT (default docs/sandbox.png under the repo),
// MUSTERBOT_NO_BUILD=1 to pass --no-build to dotnet run; MUSTERBOT_CONFIGURATION=Release (or Debug) to run that build.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshot = path.resolve(repo, process.env.SCREENSHOT || 'docs/sandbox.png');
const started = Date.now();
const WAIT = 20_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function log(...args) { console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args); }

async function waitForHealth(url, host) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (host.exitCode !== null) { throw new Error(`the host exited with ${host.exitCode}`); }
    try {
      const res = await fetch(url + '/healthz');
      if (res.ok) { return; }
    } catch { /* not up yet */ }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error('the host did not answer /healthz within 180 s');
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const args = ['run', '--project', path.join(repo, 'src', 'MusterBot.Host')];
if (process.env.MUSTERBOT_NO_BUILD === '1') { args.push('--no-build'); }
if (process.env.MUSTERBOT_CONFIGURATION) { args.push('-c', process.env.MUSTERBOT_CONFIGURATION); }
args.push('--', '--urls', base, '--Sandbox:Language=en', '--Muster:RollCallInterval=00:00:01', '--Sender:EditInterval=00:00:01');
const env = { ...process.env };
delete env.Telegram__BotToken;
delete env.Redis__Configuration;
const host = spawn('dotnet', args, { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let hostLog = '';
host.stdout.on('data', d => { hostLog += d; });
host.stderr.on('data', d => { hostLog += d; });

let browser;
let failed = false;
try {
  await waitForHealth(base, host);
  log('host is up at', base);
  browser = await chromium.launch({ executablePath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  page.setDefaultTimeout(WAIT);
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(String(e)));
  page.on('dialog', d => d.accept());
  await page.goto(base + '/');
  await page.waitForSelector('body[data-ready="1"]');
  log('page loaded');

  const as = async (name) => {
    await page.locator('.persona', { hasText: name }).click();
    await page.locator('#title', { hasText: name }).waitFor();
  };
  const sees = (text) => page.locator('#chat .msg', { hasText: text }).last().waitFor();
  const say = async (text, expected) => {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    await sees(expected);
  };
  const press = async (button, expected) => {
    await page.locator('#chat .inline button', { hasText: button }).last().click();
    await sees(expected);
  };

  // The administrator (the default persona): the command menu lists /muster; the launch wizard, as a drill.
  await page.locator('#title', { hasText: 'Secretary Li' }).waitFor();
  await page.click('#menuBtn');
  await page.locator('#commands button', { hasText: '/muster' }).waitFor();
  await page.locator('#commands button', { hasText: '/muster' }).click();
  await sees('Launch a muster');
  // HTML formatting is rendered, not shown as tags.
  if (await page.locator('#chat .msg b', { hasText: 'Launch a muster' }).count() === 0) { throw new Error('<b> was not rendered'); }
  await press('Flood', 'Step 2: who is called?');
  await press('All members', 'Step 3: send the rally point');
  await say('Community square, bring a torch', 'Step 4: send a location pin');
  await press('Skip', 'Step 5: report within?');
  await press('within 1 h', 'Step 6: drill or real?');
  await page.locator('#chat .inline button', { hasText: 'Drill' }).last().click();
  const next = page.locator('#chat .inline button', { hasText: /Use the standard notice|Send the drill order/ }).last();
  await next.waitFor();
  if ((await next.textContent()).includes('standard notice')) {
    await next.click();
  }
  await page.locator('#chat .inline button', { hasText: 'Send the drill order' }).last().waitFor();
  await press('Send the drill order', 'order M-1 sent');
  log('the administrator launched drill M-1');

  // The North convenor acknowledges (their live roll call arrives) and relays to the region.
  await as('Zhang Wei');
  await sees('Your region: North');
  await press('Acknowledge', 'Roll call M-1');
  await press('Relay to my region', 'Members told at');
  const rollCall = page.locator('#chat .msg', { hasText: 'Roll call M-1 · North' });
  await rollCall.waitFor();
  const rollCallId = await rollCall.getAttribute('data-message-id');
  log('the convenor acknowledged and relayed; roll call is message', rollCallId);

  // A North member gets the order and presses "arrived".
  await as('Wang Fang');
  await sees('M-1');
  await page.locator('#chat .inline button', { hasText: /arrived/i }).last().click();
  await sees('Your answer');
  log('the member pressed arrived');

  // 📎 → "Share a location" (the prompt's default point is accepted): attached to the member's check-in.
  await page.click('#attachBtn');
  await page.locator('#attach button[data-act="location"]').click();
  await sees('Location saved (M-1)');
  log('the member shared a location through 📎');

  // Back to the convenor: the same roll-call message now counts the arrival.
  await as('Zhang Wei');
  const edited = page.locator(`#chat .msg[data-message-id="${rollCallId}"]`);
  await page.waitForFunction(
    (id) => /arrived 1/.test(document.querySelector(`#chat .msg[data-message-id="${id}"]`)?.textContent || ''),
    rollCallId,
    { timeout: WAIT });
  const text = await edited.textContent();
  if (!text.includes('Roll call M-1 · North')) { throw new Error('the roll call message changed identity: ' + text); }
  if ((await page.locator('#chat .msg', { hasText: 'Roll call M-1 · North' }).count()) !== 1) { throw new Error('the roll call was sent again instead of edited'); }
  if (!(await edited.locator('.meta').textContent()).includes('edited')) { throw new Error('the roll call is not marked edited'); }
  log('the convenor sees the roll call change in place:', text.split('\n').find(l => l.includes('arrived')) ?? '');
  if (pageErrors.length) { throw new Error('page errors: ' + pageErrors.join('; ')); }
  await page.screenshot({ path: screenshot });
  log('screenshot saved to', path.relative(repo, screenshot));

  // A resident: 📎 → "Share my contact" and a CSV document outside any step each get a polite answer.
  await as('Grandma Hu');
  const before = await page.locator('#chat .msg').count();
  await page.click('#attachBtn');
  await page.locator('#attach button[data-act="contact"]').click();
  await page.waitForFunction((n) => document.querySelectorAll('#chat .msg').length >= n + 2, before, { timeout: WAIT });
  await page.setInputFiles('#docFile', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from('name,phone\nTest,13800000000\n') });
  await sees('roster.csv');
  await page.waitForFunction((n) => document.querySelectorAll('#chat .msg').length >= n + 4, before, { timeout: WAIT });
  log('the resident shared a contact and sent a CSV; both were answered');

  // "Reset demo" forgets the chats (the drill included) and restores the seed.
  await page.click('#reset');
  await as('Zhang Wei');
  await page.waitForFunction(() => !/Roll call M-1/.test(document.querySelector('#chat')?.textContent || ''), null, { timeout: WAIT });
  // Not just an empty screen: the emulator itself holds no messages of the convenor any more.
  const left = await page.evaluate(async () => (await (await fetch('/_emulator/chats/1101/messages')).json()).result.messages.length);
  if (left !== 0) { throw new Error(`reset left ${left} messages in the convenor's chat`); }
  log('reset demo emptied the chats');
  if (pageErrors.length) { throw new Error('page errors: ' + pageErrors.join('; ')); }
} catch (e) {
  failed = true;
  console.error('FAILED:', e);
  console.error('--- host log (tail) ---\n' + hostLog.split('\n').slice(-40).join('\n'));
} finally {
  if (browser) { await browser.close().catch(() => {}); }
  try { process.kill(-host.pid, 'SIGTERM'); } catch { /* already gone */ }
}
log(failed ? 'browser test FAILED' : 'browser test passed');
process.exit(failed ? 1 : 0);
