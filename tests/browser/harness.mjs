// Shared by sandbox.test.mjs and screenshot.mjs: start the host in sandbox mode on a free port, check the machine has
// CJK fonts, launch Debian's chromium, and small page helpers (act as a persona, wait for a message, press a button).
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WAIT = 20_000;
const started = Date.now();

export function log(...args) { console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args); }

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/**
 * The page shows Chinese; without a CJK font Chromium draws empty boxes (and screenshots are useless). Throws with the
 * install command when fontconfig knows no font for Chinese.
 */
export function requireCjkFonts() {
  let fonts = '';
  try {
    fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  } catch {
    throw new Error('fc-list (fontconfig) is missing, so CJK fonts cannot be checked: apt-get install -y fontconfig fonts-noto-cjk');
  }
  if (!fonts.trim()) {
    throw new Error('No CJK font is installed (fc-list :lang=zh is empty): Chinese text would show as boxes. Install one: apt-get install -y fonts-noto-cjk (or fonts-wqy-microhei)');
  }
  return fonts.trim().split('\n')[0];
}

/** Starts `dotnet run --project src/MusterBot.Host` without a token (the sandbox); `extra` are configuration arguments. */
export async function startHost(extra = []) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['run', '--project', path.join(repo, 'src', 'MusterBot.Host')];
  if (process.env.MUSTERBOT_NO_BUILD === '1') { args.push('--no-build'); }
  if (process.env.MUSTERBOT_CONFIGURATION) { args.push('-c', process.env.MUSTERBOT_CONFIGURATION); }
  args.push('--', '--urls', base, '--Muster:RollCallInterval=00:00:01', '--Sender:EditInterval=00:00:01', ...extra);
  const env = { ...process.env };
  delete env.Telegram__BotToken;
  delete env.Redis__Configuration;
  const child = spawn('dotnet', args, { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const host = { base, child, log: '' };
  child.stdout.on('data', d => { host.log += d; });
  child.stderr.on('data', d => { host.log += d; });
  host.stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  host.tail = (n = 40) => host.log.split('\n').slice(-n).join('\n');
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) { throw new Error(`the host exited with ${child.exitCode}\n${host.tail()}`); }
    try {
      const res = await fetch(base + '/healthz');
      if (res.ok) { return host; }
    } catch { /* not up yet */ }
    await new Promise(r => setTimeout(r, 300));
  }
  host.stop();
  throw new Error('the host did not answer /healthz within 180 s');
}

export function launchBrowser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  return chromium.launch({ executablePath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** Opens the page (dialogs accepted; `hash` e.g. '#1101' opens that persona) and returns it with helpers; `errors` collects uncaught page errors. */
export async function openPage(browser, base, viewport = { width: 1280, height: 820 }, hash = '') {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(WAIT);
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('dialog', d => d.accept());
  await page.goto(base + '/' + hash);
  await page.waitForSelector('body[data-ready="1"]');
  const sees = (text) => page.locator('#chat .msg', { hasText: text }).last().waitFor();
  const h = {
    page,
    errors,
    /** Switches to a persona: from the list on a desktop, through the ☰ drawer on a phone. */
    as: async (name) => {
      if (await page.locator('#peopleBtn').isVisible()) { await page.click('#peopleBtn'); }
      await page.locator('.persona', { hasText: name }).first().click();
      await page.locator('#title', { hasText: name }).waitFor();
    },
    sees,
    say: async (text, expected) => {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
      await sees(expected);
    },
    press: async (button, expected) => {
      await page.locator('#chat .inline button', { hasText: button }).last().click();
      if (expected) { await sees(expected); }
    },
  };
  return h;
}

/**
 * A drill muster played in the page: the administrator launches it, the North convenor acknowledges and relays, a
 * member presses "arrived" and shares a location (📎). `t` holds the texts of one language (EN or ZH below); with
 * `{ pin: true }` the order carries the page's default location as its rally point. Returns the id of the convenor's
 * roll-call message.
 */
export async function playDrill(h, t, extraMembers = [], { pin = false } = {}) {
  const { page, sees, press, say, as } = h;
  await as(t.admin);
  await page.click('#menuBtn');
  await page.locator('#commands button', { hasText: '/muster' }).click();
  await sees(t.launch);
  if (await page.locator('#chat .msg b', { hasText: t.launch }).count() === 0) { throw new Error('<b> was not rendered'); }
  await press(t.flood, t.step2);
  await press(t.everyone, t.step4);
  await say(t.rally, t.step5);
  if (pin) {
    // The rally point's location pin, shared through 📎 (the page's default spot).
    await page.click('#attachBtn');
    await page.locator('#attach button[data-act="location"]').click();
    await sees(t.step6);
  } else {
    await press(t.skip, t.step6);
  }
  await press(t.within1h, t.step7);
  await page.locator('#chat .inline button', { hasText: t.drill }).last().click();
  const next = page.locator('#chat .inline button', { hasText: new RegExp(`${t.standardNotice}|${t.sendDrill}`) }).last();
  await next.waitFor();
  if ((await next.textContent()).includes(t.standardNotice)) { await next.click(); }
  await page.locator('#chat .inline button', { hasText: t.sendDrill }).last().waitFor();
  await press(t.sendDrill, t.sent);
  log('the administrator launched drill M-1');

  await as(t.convenor);
  await sees(t.yourRegion);
  await press(t.ack, t.rollCall);
  await press(t.relay, t.membersTold);
  const rollCall = page.locator('#chat .msg', { hasText: t.rollCallNorth });
  await rollCall.waitFor();
  const rollCallId = await rollCall.getAttribute('data-message-id');
  log('the convenor acknowledged and relayed; roll call is message', rollCallId);

  await as(t.member);
  await sees('M-1');
  await page.locator('#chat .inline button', { hasText: t.arrivedButton }).last().click();
  await sees(t.yourAnswer);
  await page.click('#attachBtn');
  await page.locator('#attach button[data-act="location"]').click();
  await sees(t.locationSaved);
  log('the member pressed arrived and shared a location through 📎');

  for (const [name, button] of extraMembers) {
    await as(name);
    await sees('M-1');
    await page.locator('#chat .inline button', { hasText: button }).last().click();
    await sees(t.yourAnswer);
  }
  return rollCallId;
}

export const EN = {
  admin: 'Secretary Li', convenor: 'Zhang Wei', member: 'Wang Fang',
  launch: 'Launch a muster', flood: 'Flood', step2: 'Step 2: who is called?', everyone: 'All members',
  step4: 'Step 3: send the rally point', rally: 'Community square, bring a torch', step5: 'Step 4: send a location pin',
  skip: 'Skip', step6: 'Step 5: report within?', within1h: 'within 1 h', step7: 'Step 6: drill or real?', drill: 'Drill',
  standardNotice: 'Use the standard notice', sendDrill: 'Send the drill order', sent: 'order M-1 sent',
  yourRegion: 'Your region: North', ack: 'Acknowledge', rollCall: 'Roll call M-1', relay: 'Relay to my region',
  membersTold: 'Members told at', rollCallNorth: 'Roll call M-1 · North', arrivedButton: /arrived/i,
  yourAnswer: 'Your answer', locationSaved: 'Location saved (M-1)',
};

export const ZH = {
  admin: '李书记', convenor: '张伟', member: '王芳',
  launch: '发起集结', flood: '防汛', step2: '第 2 步：召集哪些人？', everyone: '全体党员',
  step4: '第 3 步', rally: '社区广场集合，带手电', step5: '第 4 步',
  skip: '跳过', step6: '第 5 步：多长时间内报到？', within1h: /1 ?小时 ?内/, step7: '第 6 步：演练还是真实集结？', drill: '演练',
  standardNotice: '使用标准通知', sendDrill: '发出演练集结令', sent: '演练集结令 M-1 已发出',
  yourRegion: '您的片区：北片', ack: '已收到', rollCall: '点名 M-1', relay: '转发本片区',
  membersTold: '发给成员', rollCallNorth: '点名 M-1 · 北片', arrivedButton: /已到岗/,
  yourAnswer: '您的回复', locationSaved: '您的位置已记录（M-1）',
};

/** A small real PNG (a blue-green gradient with a white bar), for "send a photo". */
export function samplePng(width = 120, height = 80) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) { c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; }
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) { c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); } return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const bar = y > height * 0.4 && y < height * 0.6;
      row[1 + x * 3] = bar ? 255 : 40 + Math.round(150 * x / width);
      row[2 + x * 3] = bar ? 255 : 120 + Math.round(100 * y / height);
      row[3 + x * 3] = bar ? 255 : 220;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
