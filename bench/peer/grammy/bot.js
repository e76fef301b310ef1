"use strict";
// The grammY bot of MusterBot's peer benchmark: `MusterBot.Bench --scenario peer` (bench/MusterBot.Bench/PeerBench.cs)
// installs this directory's package.json with `npm ci` into a cache directory, starts `node bot.js` against the same
// Bot API emulator and Redis as MusterBot, and times its bursts until every reply is sent. docs/benchmarks.md explains
// the method and what differs from MusterBot.
//
// Written as grammY's documentation recommends for a bot with sessions under load: @grammyjs/runner (`run(bot)`, its
// default options: getUpdates limit 100, long polling, up to 500 updates handled at once), `sequentialize` by the
// session key so one chat's updates are handled one at a time, and `session()` stored in Redis through
// @grammyjs/storage-redis with an ioredis client. The runner confirms an update when it fetches the next batch (before
// the update is handled); the session is written after the handler has sent its replies.
//
// Environment: BOT_TOKEN, API_ROOT (the emulator, e.g. http://127.0.0.1:5000), REDIS_URL (redis://127.0.0.1:6379),
// CHECKIN_DATA (the callback data of "arrived" on the muster's order, the same bytes MusterBot's order carries).

const { Bot, session } = require("grammy");
const { run, sequentialize } = require("@grammyjs/runner");
const { RedisAdapter } = require("@grammyjs/storage-redis");
const { Redis } = require("ioredis");

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

const redis = new Redis(required("REDIS_URL"));
const bot = new Bot(required("BOT_TOKEN"), { client: { apiRoot: required("API_ROOT") } });
const checkInData = required("CHECKIN_DATA");

// The key of both the session and the sequentializer: one chat (a private chat is one person).
const getSessionKey = (ctx) => ctx.chat?.id.toString();

bot.use(sequentialize(getSessionKey));
bot.use(session({
  getSessionKey,
  initial: () => ({ firstSeenAt: Date.now(), starts: 0, answers: {} }),
  storage: new RedisAdapter({ instance: redis }),
}));

// What MusterBot answers a visitor's /start, to the byte as the emulator shows it (texts of
// src/MusterBot.Flows/Texts/*.en.json): a welcome with the menu under the text box, then the two ways to register as
// inline buttons.
const visitorMenu = {
  keyboard: [
    [{ text: "❓ Help" }, { text: "👤 My profile" }],
    [{ text: "🌐 Language" }, { text: "📂 Mine" }],
    [{ text: "💝 Micro-wish" }, { text: "📣 Complaint" }],
  ],
  is_persistent: true,
  resize_keyboard: true,
  input_field_placeholder: "Choose, or type",
};
const registerChoice = {
  inline_keyboard: [
    [{ text: "🏠 I am a resident: register", callback_data: "main:resident" }],
    [{ text: "📋 I am a member (on the roster)", callback_data: "main:roster" }],
  ],
};

// What MusterBot sends a member who pressed "arrived": the location request above the member's menu.
const locationRequest = {
  keyboard: [
    [{ text: "📍 Send my location", request_location: true }],
    [{ text: "❓ Help" }, { text: "👤 My profile" }],
    [{ text: "🌐 Language" }, { text: "📂 Mine" }],
    [{ text: "💝 Micro-wish" }, { text: "🙋 Claim a wish" }],
    [{ text: "🏅 Points" }, { text: "📣 Complaint" }],
  ],
  is_persistent: true,
  resize_keyboard: true,
  input_field_placeholder: "Choose, or type",
};

// The community's clock (MusterBot shows times in the community's time zone, China Standard Time by default).
const localTime = (date) => new Date(date.getTime() + 8 * 3600 * 1000).toISOString().substring(11, 16);

const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

bot.command("start", async (ctx) => {
  ctx.session.starts += 1;
  await ctx.reply(
    `Hello, ${escapeHtml(ctx.from.first_name)}! I am the community service assistant.\nSend /help to see what I can do for you.`,
    { parse_mode: "HTML", reply_markup: visitorMenu },
  );
  await ctx.reply("To register, choose:", { reply_markup: registerChoice });
});

// A member presses "arrived" on the muster's order: the muster is read (the bench wrote it to Redis, as the order the
// bench sent shows it), the answer is kept in the member's session and in the muster's shared "arrived" set (the roll
// call's source), the press is answered, the order is edited to show the answer, and the member is asked for a location.
bot.callbackQuery(checkInData, async (ctx) => {
  const muster = JSON.parse((await redis.get("peer:muster:1")) ?? "null");
  if (muster === null) {
    await ctx.answerCallbackQuery({ text: "This muster is over." });
    return;
  }

  const at = new Date();
  ctx.session.answers[muster.id] = { status: "arrived", at: at.toISOString() };
  await redis.sadd(`peer:muster:${muster.id}:arrived`, String(ctx.from.id));
  await ctx.answerCallbackQuery({ text: "Saved: 📍 arrived" });
  await ctx.editMessageText(`${muster.html}\n\nYour answer: 📍 arrived (${localTime(at)})`, {
    parse_mode: "HTML",
    reply_markup: muster.keyboard,
  });
  await ctx.reply("📍 If you can, tap “📍 Send my location” below to send your location (optional).", {
    reply_markup: locationRequest,
  });
});

bot.catch((err) => {
  console.error(`update ${err.ctx?.update?.update_id}: ${err.error?.message ?? err.error}`);
});

async function main() {
  await bot.init();
  const runner = run(bot);
  console.log(`ready: grammY bot @${bot.botInfo.username} polling ${process.env.API_ROOT}`);
  const stop = () => {
    if (runner.isRunning()) {
      runner.stop().then(() => redis.quit()).finally(() => process.exit(0));
    }
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
