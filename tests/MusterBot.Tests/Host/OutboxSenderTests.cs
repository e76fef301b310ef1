using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using MusterBot.Host.Delivery;
using MusterBot.State;
using MusterBot.State.Commits;
using MusterBot.State.Documents;
using MusterBot.State.Memory;
using MusterBot.State.Outbox;
using MusterBot.State.Rates;
using MusterBot.State.Timers;
using MusterBot.Tests.Support;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Requests.Abstractions;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;
using Telegram.Bot.Types;

namespace MusterBot.Tests.Host;

/// <summary>
/// The real sender on the real in-memory store and the real system clock, with the Bot API client mocked. Time-based
/// assertions are lower bounds with a little slack (the sender mixes semaphore waits with clock delays). Never assert
/// that something happened within a short wall-clock time: on a busy machine any step may stall for a second or more.
/// "It did not wait" is shown by order (it went out before the pause ended) or by a bound far below the wait it must
/// not take; waits for a condition are bounded by <see cref="WaitLimit"/>, which only bounds a hang.
/// </summary>
public sealed class OutboxSenderTests : IAsyncLifetime, IDisposable
{
    // Until the fresh-gate bug in RateGate is fixed, every gate must have burst 1: GlobalPerSecond <= 10, PerChatBurst 1.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    private readonly InMemoryStateStore _store = new(TimeProvider.System);
    private readonly Mock<ITelegramBotClient> _client = new(MockBehavior.Strict);
    private readonly ConcurrentQueue<Call> _calls = new();
    private readonly OutboxSignal _signal = new();
    private readonly LogCapture _logs = new();
    private Func<Call, Task<Message>> _respond = call => Task.FromResult(new Message { Id = 1000, Chat = new Chat { Id = call.ChatId } });
    private OutboxSender? _sender;

    public OutboxSenderTests()
    {
        // Telegram.Bot's client has one seam, SendRequest: every call the sender makes arrives there as a request object.
        _client
            .Setup(c => c.SendRequest(It.IsAny<SendMessageRequest>(), It.IsAny<CancellationToken>()))
            .Returns((IRequest<Message> request, CancellationToken _) =>
            {
                var send = (SendMessageRequest)request;
                return Respond(new Call("send", send.ChatId!.Identifier!.Value, send.Text));
            });
        _client
            .Setup(c => c.SendRequest(It.IsAny<EditMessageTextRequest>(), It.IsAny<CancellationToken>()))
            .Returns((IRequest<Message> request, CancellationToken _) =>
            {
                var edit = (EditMessageTextRequest)request;
                return Respond(new Call("edit", edit.ChatId!.Identifier!.Value, edit.Text) { MessageId = edit.MessageId });
            });
        _client
            .Setup(c => c.SendRequest(It.IsAny<AnswerCallbackQueryRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (IRequest<bool> request, CancellationToken _) =>
            {
                var answer = (AnswerCallbackQueryRequest)request;
                await Respond(new Call("answer", 0, answer.Text, answer.CallbackQueryId));
                return true;
            });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_sender is not null)
        {
            await _sender.StopAsync(CancellationToken.None);
        }
    }

    public void Dispose()
    {
        _sender?.Dispose();
        _signal.Dispose();
    }

    [Fact]
    public async Task Send_Text_RecordsSentWithTelegramMessageId()
    {
        _respond = call => Task.FromResult(new Message { Id = 4242, Chat = new Chat { Id = call.ChatId } });
        await StartAsync();

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 7_000_000_001, new SendText("Hello")) { Tag = "muster:12" });
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Sent, record.Status);
        Assert.Equal(4242, record.TelegramMessageId);
        Assert.Equal(7_000_000_001, record.ChatId);
        Assert.Equal("muster:12", record.Tag);
        Assert.Equal(1, record.Attempts);
        Assert.Null(record.Error);
    }

    [Fact]
    public async Task Send_WithDefaultOptions_RecordsSent()
    {
        await StartAsync(new SenderOptions { IdlePoll = TimeSpan.FromMilliseconds(20) });

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 1, new SendText("Hello")));

        Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
    }

    [Fact]
    public async Task Send_OnA429ForOneChat_PausesThatChatForRetryAfter_OthersGoOn()
    {
        var floods = 0;
        _respond = call => call.ChatId == 1 && Interlocked.Increment(ref floods) == 1
            ? Task.FromException<Message>(new ApiRequestException("Too Many Requests: retry after 2", 429, new ResponseParameters { RetryAfter = 2 }))
            : Task.FromResult(new Message { Id = 5, Chat = new Chat { Id = call.ChatId } });
        await StartAsync();

        var first = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 1, new SendText("first")));
        await WaitUntilAsync(() => !_calls.IsEmpty);
        var sameChat = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 1, new SendText("second to the same chat")));
        var other = await EnqueueOneAsync(new OutboxMessage(Lane.Emergency, 2, new SendText("other chat")));
        var otherRecord = await WaitForOutcomeAsync(other);
        var firstRecord = await WaitForOutcomeAsync(first);
        await WaitForOutcomeAsync(sameChat);

        Assert.Equal(DeliveryStatus.Sent, firstRecord.Status);
        Assert.Equal(DeliveryStatus.Sent, otherRecord.Status);
        var attempts = CallsTo(1);
        Assert.Equal(3, attempts.Count);
        AssertAtLeast(TimeSpan.FromSeconds(2) - Slack, attempts[0], attempts[1]);
        AssertAtLeast(TimeSpan.FromSeconds(2) - Slack, attempts[0], attempts[2]);
        Assert.True(Assert.Single(CallsTo(2)).At < attempts[1].At, "the other chat waited for the pause of chat 1");
    }

    [Fact]
    public async Task Send_OnA429_WhileIdle_RetriesWhenRetryAfterEnds_NotAtTheNextIdlePoll()
    {
        var floods = 0;
        _respond = call => Interlocked.Increment(ref floods) == 1
            ? Task.FromException<Message>(new ApiRequestException("Too Many Requests: retry after 1", 429, new ResponseParameters { RetryAfter = 1 }))
            : Task.FromResult(new Message { Id = 5, Chat = new Chat { Id = call.ChatId } });
        await StartAsync(Options(o => o.IdlePoll = TimeSpan.FromSeconds(60)));

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Emergency, 1, new SendText("order")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Sent, record.Status);
        var attempts = CallsTo(1);
        Assert.Equal(2, attempts.Count);
        AssertAtLeast(TimeSpan.FromSeconds(1) - Slack, attempts[0], attempts[1]);
        var between = Stopwatch.GetElapsedTime(attempts[0].At, attempts[1].At);
        Assert.True(between < TimeSpan.FromSeconds(20), $"the retry went out {between.TotalSeconds:0.000} s after the 429, not when retry_after (1 s) ended");
    }

    [Fact]
    public async Task Send_On429sFromSeveralChats_IsAFlood_AndPausesAllSending()
    {
        var floods = 0;
        // Telegram answers 429 for as long as the flood lasts: here until the sender pauses all sending (event 3003).
        // Three 429s within the detector's 1 s window make a flood; a stall of the process between two of them (one of
        // 0.86 s was seen, with the sender's claim loop idle throughout) spread them over more than the window, and with
        // only three 429s in all the pause never came.
        _respond = call =>
        {
            if (call.ChatId > 3 || _logs.Lines.Any(l => l.Contains("[3003]", StringComparison.Ordinal)))
            {
                return Task.FromResult(new Message { Id = 5, Chat = new Chat { Id = call.ChatId } });
            }

            Interlocked.Increment(ref floods);
            return Task.FromException<Message>(new ApiRequestException("Too Many Requests: retry after 1", 429, new ResponseParameters { RetryAfter = 1 }));
        };
        await StartAsync();

        var flooded = await EnqueueAsync(
            new OutboxMessage(Lane.Normal, 1, new SendText("a")),
            new OutboxMessage(Lane.Normal, 2, new SendText("b")),
            new OutboxMessage(Lane.Normal, 3, new SendText("c")));
        // The third 429 is counted when the call is made; the sender pauses (and logs event 3003) a little later, so the
        // other chat's message is enqueued once the pause is in place (enqueued in between, it went out at once on a
        // loaded machine).
        await WaitUntilAsync(() => floods >= 3 && _logs.Lines.Any(l => l.Contains("[3003]", StringComparison.Ordinal)));
        var other = await EnqueueOneAsync(new OutboxMessage(Lane.Emergency, 9, new SendText("other chat")));
        foreach (var id in flooded.Append(other))
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        AssertAtLeast(TimeSpan.FromSeconds(1) - Slack - Slack, CallsTo(3)[0], Assert.Single(CallsTo(9)));
    }

    [Fact]
    public async Task Send_On403_RecordsUnreachableWithoutRetrying()
    {
        _respond = _ => Task.FromException<Message>(new ApiRequestException("Forbidden: bot was blocked by the user", 403));
        await StartAsync();

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 7_000_000_001, new SendText("reminder")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Unreachable, record.Status);
        Assert.Contains("blocked", record.Error, StringComparison.Ordinal);
        Assert.Single(_calls);
    }

    [Fact]
    public async Task Send_AcceptedButTheAnswerCannotBeRead_RecordsSentWithAWarning_AndNeverSendsAgain()
    {
        // A server or proxy answered 200 with something Telegram.Bot cannot read: the message went out.
        _respond = _ => Task.FromException<Message>(new RequestException("There was an exception during deserialization of the response", HttpStatusCode.OK));
        await StartAsync(Options(o => o.Lease = TimeSpan.FromMilliseconds(200)));

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 7, new SendText("Hello")));
        var record = await WaitForOutcomeAsync(id);
        await Task.Delay(600);

        Assert.Equal(DeliveryStatus.Sent, record.Status);
        Assert.Null(record.TelegramMessageId);
        Assert.Contains("could not be read", record.Error, StringComparison.Ordinal);
        Assert.Single(CallsTo(7));
    }

    [Fact]
    public async Task Edit_On400MessageNotModified_RecordsSent()
    {
        _respond = _ => Task.FromException<Message>(new ApiRequestException(
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            400));
        await StartAsync();

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, -1_001_234_567_890, new EditText(77, "<b>3 of 5</b> checked in")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Sent, record.Status);
        Assert.Null(record.Error);
        Assert.Equal("edit", Assert.Single(_calls).Method);
    }

    [Fact]
    public async Task Send_On400Other_RecordsFailedWithDescriptionWithoutRetrying()
    {
        _respond = _ => Task.FromException<Message>(new ApiRequestException("Bad Request: chat not found", 400));
        await StartAsync();

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 42, new SendText("hi")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Failed, record.Status);
        Assert.Equal("400: Bad Request: chat not found", record.Error);
        Assert.Single(_calls);
    }

    [Fact]
    public async Task Send_OnTransportFailure_RetriesAfterRetryDelayAndRecordsSent()
    {
        var calls = 0;
        _respond = call => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<Message>(new RequestException("Bot API Request timed out"))
            : Task.FromResult(new Message { Id = 9, Chat = new Chat { Id = call.ChatId } });
        await StartAsync(Options(o => o.RetryDelay = TimeSpan.FromMilliseconds(50)));

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 42, new SendText("hi")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Sent, record.Status);
        Assert.Equal(9, record.TelegramMessageId);
        Assert.Equal(2, record.Attempts);
        var attempts = CallsTo(42);
        Assert.Equal(2, attempts.Count);
        AssertAtLeast(TimeSpan.FromMilliseconds(40), attempts[0], attempts[1]);
    }

    [Fact]
    public async Task Send_On5xx_RetriesAndRecordsSent()
    {
        var calls = 0;
        _respond = call => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<Message>(new ApiRequestException("Bad Gateway", 502))
            : Task.FromResult(new Message { Id = 9, Chat = new Chat { Id = call.ChatId } });
        await StartAsync(Options(o => o.RetryDelay = TimeSpan.FromMilliseconds(50)));

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 42, new SendText("hi")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Sent, record.Status);
        Assert.Equal(2, CallsTo(42).Count);
    }

    [Fact]
    public async Task Send_TransportFailingMaxAttemptsTimes_RecordsFailed()
    {
        _respond = _ => Task.FromException<Message>(new RequestException("Bot API Service Failure: HttpRequestException: Connection refused"));
        await StartAsync(Options(o =>
        {
            o.MaxAttempts = 3;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
        }));

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 42, new SendText("hi")));
        var record = await WaitForOutcomeAsync(id);

        Assert.Equal(DeliveryStatus.Failed, record.Status);
        Assert.Equal(3, record.Attempts);
        Assert.Equal("Bot API Service Failure: HttpRequestException: Connection refused", record.Error);
        Assert.Equal(3, CallsTo(42).Count);
    }

    [Fact]
    public async Task Drain_LanesCommittedInReverse_ReservedReplyThenEmergencyThenNormal()
    {
        var normal = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 3, new SendText("notice")));
        var reply = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 2, new SendText("reply")));
        var emergency = await EnqueueOneAsync(new OutboxMessage(Lane.Emergency, 1, new SendText("muster now")));
        await StartAsync();

        await WaitForOutcomeAsync(normal);
        await WaitForOutcomeAsync(reply);
        await WaitForOutcomeAsync(emergency);

        // A share of every claim is kept for waiting direct replies; then emergency goes before normal notices.
        Assert.Equal([2L, 1L, 3L], _calls.Select(c => c.ChatId));
    }

    [Fact]
    public async Task SendFirst_OtherEmergencyMessagesStartOnlyAfterEveryFirstCallReturned()
    {
        // The convenors' calls are slow (300 ms) and the rate lets a call start every 100 ms with 16 in flight: without
        // the wait, the members' orders would start while the convenors' calls were still under way.
        var returned = new ConcurrentDictionary<long, long>();
        _respond = async call =>
        {
            if (call.ChatId < 10)
            {
                await Task.Delay(300);
                returned[call.ChatId] = Stopwatch.GetTimestamp();
            }

            return new Message { Id = 1000, Chat = new Chat { Id = call.ChatId } };
        };
        await StartAsync(Options(o => o.MaxInFlight = 16));

        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Emergency, 1, new SendText("convenor 1")) { SendFirst = true },
            new OutboxMessage(Lane.Emergency, 2, new SendText("convenor 2")) { SendFirst = true },
            new OutboxMessage(Lane.Emergency, 3, new SendText("convenor 3")) { SendFirst = true },
            new OutboxMessage(Lane.Emergency, 11, new SendText("member 1")),
            new OutboxMessage(Lane.Emergency, 12, new SendText("member 2")),
            new OutboxMessage(Lane.Normal, 21, new SendText("notice")));
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        var lastReturned = returned.Values.Max();
        Assert.Equal(3, returned.Count);
        foreach (var member in new[] { 11L, 12L, 21L })
        {
            Assert.True(Assert.Single(CallsTo(member)).At >= lastReturned, $"chat {member} was called before the last convenor's call returned");
        }

        // Later messages do not wait for calls that have returned.
        var later = await EnqueueOneAsync(new OutboxMessage(Lane.Emergency, 13, new SendText("member 3")));
        Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(later)).Status);
    }

    [Fact]
    public async Task Drain_OneCallFreeAtATime_EmergencyIsNotStarvedByAReplyBacklog()
    {
        // A saturated sender has one call free per claim. The replies' reserved quarter must stay a quarter: when the
        // whole one-message claim went to the reply backlog, a roll call's edit waited behind all of it (51 s at city size).
        var replies = await EnqueueAsync([.. Enumerable.Range(1, 40).Select(chat => new OutboxMessage(Lane.Reply, chat, new SendText("reply")))]);
        var emergency = await EnqueueOneAsync(new OutboxMessage(Lane.Emergency, 99, new SendText("roll call")));
        await StartAsync(Options(o =>
        {
            o.GlobalPerSecond = 1000;
            o.MaxInFlight = 1;
        }));

        Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(emergency)).Status);
        foreach (var id in replies)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        var order = _calls.OrderBy(c => c.At).Select(c => c.ChatId).ToList();
        var at = order.IndexOf(99);
        Assert.True(at is >= 0 and <= 4, $"the emergency message was call {at + 1} of {order.Count}: it waited behind the replies");
    }

    [Fact]
    public async Task Send_PerChatRate_SpacesOneChatWithoutHoldingBackOthers()
    {
        await StartAsync(Options(o =>
        {
            o.PerChatPerSecond = 4;
            o.PerChatBurst = 1;
        }));

        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Normal, 1, new SendText("1")),
            new OutboxMessage(Lane.Normal, 1, new SendText("2")),
            new OutboxMessage(Lane.Normal, 1, new SendText("3")),
            new OutboxMessage(Lane.Normal, 1, new SendText("4")),
            new OutboxMessage(Lane.Normal, 2, new SendText("other chat")));
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        var chat1 = CallsTo(1);
        Assert.Equal(["1", "2", "3", "4"], chat1.Select(c => c.Text));
        AssertAtLeast(TimeSpan.FromMilliseconds(750) - Slack + TimeSpan.FromMilliseconds(50), chat1[0], chat1[3]);
        Assert.True(Assert.Single(CallsTo(2)).At < chat1[1].At, "the other chat's message waited for chat 1's rate");
    }

    [Fact]
    public async Task Send_GlobalRate_SpacesSendsAcrossChats()
    {
        await StartAsync(Options(o => o.GlobalPerSecond = 10));

        var ids = await EnqueueAsync([.. Enumerable.Range(1, 10).Select(chat => new OutboxMessage(Lane.Normal, chat, new SendText("x")))]);
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        var calls = _calls.OrderBy(c => c.At).ToList();
        Assert.Equal(10, calls.Count);
        AssertAtLeast(TimeSpan.FromMilliseconds(900) - Slack, calls[0], calls[^1]);
    }

    [Fact]
    public async Task Send_GlobalRateWithBurst_SpacesSendsAcrossChats()
    {
        await StartAsync(Options(o => o.GlobalPerSecond = 20));

        var ids = await EnqueueAsync([.. Enumerable.Range(1, 20).Select(chat => new OutboxMessage(Lane.Normal, chat, new SendText("x")))]);
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        // Burst ceil(20/10) = 2: two back to back, then 18 spaced 50 ms apart.
        var calls = _calls.OrderBy(c => c.At).ToList();
        Assert.Equal(20, calls.Count);
        AssertAtLeast(TimeSpan.FromMilliseconds(900) - Slack, calls[0], calls[^1]);
    }

    [Fact]
    public async Task AnswerCallback_IsNotPerChatLimited()
    {
        const long chat = 7_000_000_001;
        await StartAsync(Options(o =>
        {
            o.PerChatPerSecond = 0.02; // one message per 50 s: a limited answer would outlast the wait
            o.PerChatBurst = 1;
        }));

        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Reply, chat, new SendText("first")),
            new OutboxMessage(Lane.Reply, chat, new AnswerCallback("q1")),
            new OutboxMessage(Lane.Reply, chat, new AnswerCallback("q2", "Saved")),
            new OutboxMessage(Lane.Reply, chat, new AnswerCallback("q3")),
            new OutboxMessage(Lane.Reply, chat, new SendText("second")));
        foreach (var id in ids.Take(4))
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        Assert.Equal(DeliveryStatus.Queued, (await _store.GetDeliveryAsync(ids[4], CancellationToken.None))!.Status);
        Assert.Equal(["q1", "q2", "q3"], _calls.Where(c => c.Method == "answer").Select(c => c.CallbackQueryId).Order());
        Assert.Equal(["first"], _calls.Where(c => c.Method == "send").Select(c => c.Text));
    }

    /// <summary>
    /// A claim's ordered messages take their rate slots in ONE step (a step per message, each a store round trip, queued
    /// a press's answer behind all of them), and the claim's answers go out before that step. The rate store here takes
    /// 300 ms per step: the answers must all be called before the first step returns.
    /// </summary>
    [Fact]
    public async Task Claim_TakesItsRatesInOneStep_AndItsAnswersGoFirst()
    {
        var rates = new SlowRates(_store, TimeSpan.FromMilliseconds(300));

        // 1,000/s: the claim's budget of rate-limited messages (the rate over the 50 ms horizon) is 50, all 30 fit.
        await StartAsync(Options(o => { o.MaxInFlight = 64; o.GlobalPerSecond = 1000; }), rates: rates);

        var sends = Enumerable.Range(1, 30).Select(i => new OutboxMessage(Lane.Reply, 8_000_000_000 + i, new SendText($"m{i}")));
        var answers = Enumerable.Range(1, 5).Select(i => new OutboxMessage(Lane.Answer, 8_100_000_000 + i, new AnswerCallback($"q{i}")));
        var ids = await EnqueueAsync([.. sends, .. answers]);
        foreach (var id in ids.Skip(30))
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(ids[0])).Status);
        var firstStepReturned = rates.FirstReturnedAt;
        Assert.NotEqual(0, firstStepReturned);
        Assert.All(_calls.Where(c => c.Method == "answer"), c => Assert.True(c.At < firstStepReturned, "an answer waited for the rate step"));
        Assert.Equal(30, rates.LargestStep);
        Assert.Equal(0, rates.SingleTakes);
    }

    /// <summary>The store's rate gates, each step taking <paramref name="delay"/> (a loaded store), counted.</summary>
    private sealed class SlowRates(ISendRates inner, TimeSpan delay) : ISendRates
    {
        private long _firstReturnedAt;
        private int _largestStep;
        private int _singleTakes;

        public long FirstReturnedAt => Interlocked.Read(ref _firstReturnedAt);

        public int LargestStep => Volatile.Read(ref _largestStep);

        public int SingleTakes => Volatile.Read(ref _singleTakes);

        public async Task<RateTicket> TakeAsync(SendLimits limits, long chatId, bool ordered, bool paid, string owner, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _singleTakes);
            await Task.Delay(delay, cancellationToken);
            return await inner.TakeAsync(limits, chatId, ordered, paid, owner, cancellationToken);
        }

        public async Task<IReadOnlyList<RateTicket>> TakeManyAsync(SendLimits limits, IReadOnlyList<RateRequest> requests, string owner, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            var tickets = await inner.TakeManyAsync(limits, requests, owner, cancellationToken);
            Interlocked.CompareExchange(ref _firstReturnedAt, Stopwatch.GetTimestamp(), 0);
            lock (this)
            {
                _largestStep = Math.Max(_largestStep, requests.Count);
            }

            return tickets;
        }

        public Task ReleaseChatAsync(long chatId, string owner, CancellationToken cancellationToken) => inner.ReleaseChatAsync(chatId, owner, cancellationToken);

        public Task ReleaseChatsAsync(IReadOnlyList<long> chatIds, string owner, CancellationToken cancellationToken) => inner.ReleaseChatsAsync(chatIds, owner, cancellationToken);

        public Task PauseAsync(SendLimits limits, long? chatId, TimeSpan retryAfter, CancellationToken cancellationToken) => inner.PauseAsync(limits, chatId, retryAfter, cancellationToken);
    }

    [Fact]
    public async Task Send_LargeAndNegativeIds_ReachClientUnchanged()
    {
        const long user = 4_503_599_627_370_495; // 2^52 - 1
        const long supergroup = -1_009_876_543_210;
        await StartAsync();

        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Reply, user, new SendText("to user")),
            new OutboxMessage(Lane.Normal, supergroup, new EditText(int.MaxValue, "summary")));
        var records = new List<DeliveryRecord>();
        foreach (var id in ids)
        {
            records.Add(await WaitForOutcomeAsync(id));
        }

        Assert.Equal([user, supergroup], records.Select(r => r.ChatId));
        _client.Verify(c => c.SendRequest(It.Is<SendMessageRequest>(r => r.ChatId!.Identifier == user && r.Text == "to user" && r.ParseMode == ParseMode.Html && r.ReplyMarkup == null && r.DisableNotification == false && r.AllowPaidBroadcast == false), It.IsAny<CancellationToken>()), Times.Once);
        _client.Verify(c => c.SendRequest(It.Is<EditMessageTextRequest>(r => r.ChatId!.Identifier == supergroup && r.MessageId == int.MaxValue && r.Text == "summary" && r.ParseMode == ParseMode.Html && r.ReplyMarkup == null), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task AnswerAndHtml_ReachClientAsGiven()
    {
        const string html = "<b>Muster</b> at 08:00 &amp; bring &lt;ID&gt; — Ann &quot;A&quot;";
        await StartAsync();

        var markup = new InlineMarkup([[new InlineButton("I'm here", "m:7f3a:ok"), new InlineButton("Map", Url: "https://example.org/m")]]);
        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Reply, 7, new AnswerCallback("4382bfdwdsb323b2d9", "Noted <ok> & thanks", ShowAlert: true)),
            new OutboxMessage(Lane.Reply, 7, new SendText(html, markup) { DisableNotification = true }));
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        _client.Verify(c => c.SendRequest(It.Is<AnswerCallbackQueryRequest>(r => r.CallbackQueryId == "4382bfdwdsb323b2d9" && r.Text == "Noted <ok> & thanks" && r.ShowAlert), It.IsAny<CancellationToken>()), Times.Once);
        _client.Verify(
            c => c.SendRequest(
                It.Is<SendMessageRequest>(r => r.ChatId!.Identifier == 7
                    && r.Text == html
                    && r.ParseMode == ParseMode.Html
                    && r.DisableNotification
                    && !r.AllowPaidBroadcast
                    && r.ReplyMarkup is InlineKeyboardMarkup
                    && ((InlineKeyboardMarkup)r.ReplyMarkup).InlineKeyboard.Count() == 1
                    && ((InlineKeyboardMarkup)r.ReplyMarkup).InlineKeyboard.First().First().CallbackData == "m:7f3a:ok"
                    && ((InlineKeyboardMarkup)r.ReplyMarkup).InlineKeyboard.First().Last().Url == "https://example.org/m"),
                It.IsAny<CancellationToken>()),
            Times.Once);
    }

    private static SenderOptions Options(Action<SenderOptions>? configure = null)
    {
        var options = new SenderOptions
        {
            GlobalPerSecond = 10,
            PerChatPerSecond = 50,
            PerChatBurst = 1,
            IdlePoll = TimeSpan.FromMilliseconds(20),
            RetryDelay = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        return options;
    }

    private static void AssertAtLeast(TimeSpan expected, Call from, Call to)
    {
        var actual = Stopwatch.GetElapsedTime(from.At, to.At);
        Assert.True(actual >= expected, $"expected at least {expected.TotalMilliseconds} ms between the calls, was {actual.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Send_ToAGroup_KeepsTheGroupRate()
    {
        await StartAsync(Options(o =>
        {
            o.PerGroupPerMinute = 120;
            o.PerGroupBurst = 1;
        }));

        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Normal, -1_001_234_567_890, new SendText("1")),
            new OutboxMessage(Lane.Normal, -1_001_234_567_890, new SendText("2")),
            new OutboxMessage(Lane.Normal, -1_001_234_567_890, new SendText("3")));
        foreach (var id in ids)
        {
            await WaitForOutcomeAsync(id);
        }

        var calls = CallsTo(-1_001_234_567_890);
        AssertAtLeast(TimeSpan.FromSeconds(1) - Slack, calls[0], calls[2]);
    }

    [Fact]
    public async Task PaidBroadcast_On_EmergencyTextsCarryTheFlag_OtherLanesDoNot()
    {
        await StartAsync(Options(o =>
        {
            o.PaidBroadcast = true;
            o.PaidBroadcastPerSecond = 500;
        }));

        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Emergency, 1, new SendText("muster")),
            new OutboxMessage(Lane.Reply, 2, new SendText("reply")));
        foreach (var id in ids)
        {
            await WaitForOutcomeAsync(id);
        }

        _client.Verify(c => c.SendRequest(It.Is<SendMessageRequest>(r => r.ChatId!.Identifier == 1 && r.Text == "muster" && r.ParseMode == ParseMode.Html && r.ReplyMarkup == null && r.DisableNotification == false && r.AllowPaidBroadcast == true), It.IsAny<CancellationToken>()), Times.Once);
        _client.Verify(c => c.SendRequest(It.Is<SendMessageRequest>(r => r.ChatId!.Identifier == 2 && r.Text == "reply" && r.ParseMode == ParseMode.Html && r.ReplyMarkup == null && r.DisableNotification == false && r.AllowPaidBroadcast == false), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Send_ToAMigratedGroup_GoesOnceToTheNewChatId_AndRecordsTheMigration()
    {
        _respond = call => call.ChatId == -42
            ? throw new ApiRequestException("Bad Request: group chat was upgraded to a supergroup chat", 400, new ResponseParameters { MigrateToChatId = -1_009_999_999_999 })
            : Task.FromResult(new Message { Id = 5, Chat = new Chat { Id = call.ChatId } });
        await StartAsync();

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, -42, new SendText("roll call")));

        var record = await WaitForOutcomeAsync(id);
        Assert.Equal(DeliveryStatus.Failed, record.Status);
        Assert.Equal("migrated to -1009999999999", record.Error);
        await WaitUntilAsync(() => CallsTo(-1_009_999_999_999).Count == 1);
        Assert.Single(CallsTo(-42));
    }

    [Fact]
    public async Task Send_ToAMigratedGroup_RecordsTheOriginalAndEnqueuesTheCopy_InOneStoreCall()
    {
        _respond = call => call.ChatId == -42
            ? throw new ApiRequestException("Bad Request: group chat was upgraded to a supergroup chat", 400, new ResponseParameters { MigrateToChatId = -1_009_999_999_999 })
            : Task.FromResult(new Message { Id = 5, Chat = new Chat { Id = call.ChatId } });
        var counting = new CountingStore(_store);
        await StartAsync(store: counting);

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, -42, new SendText("roll call")));
        await WaitUntilAsync(() => CallsTo(-1_009_999_999_999).Count == 1);
        await WaitForOutcomeAsync(id);

        // A crash can never fall between enqueueing the copy and recording the original: it is one store call.
        Assert.Equal(0, counting.Count(nameof(IStateStore.CommitAsync)));
        Assert.Equal(1, counting.Count(nameof(IStateStore.ForwardOutboxAsync)));
        Assert.Equal("migrated to -1009999999999", (await _store.GetDeliveryAsync(id, CancellationToken.None))!.Error);
    }

    [Fact]
    public async Task StoreDown_MidFanOut_OutcomesAreKeptAndRecorded_NothingNewIsSent_NothingWaitsForTheLease()
    {
        var counting = new CountingStore(_store);
        _respond = call =>
        {
            if (_calls.Count == 4)
            {
                counting.Down = true; // the outcome of this send cannot be recorded
            }

            return Task.FromResult(new Message { Id = 5, Chat = new Chat { Id = call.ChatId } });
        };
        var ids = await EnqueueAsync([.. Enumerable.Range(1, 12).Select(i => new OutboxMessage(Lane.Emergency, i, new SendText("muster")))]);
        await StartAsync(store: counting); // the default lease: 1 minute

        await WaitUntilAsync(() => counting.Down);
        await Task.Delay(600);
        Assert.Equal(4, _calls.Count); // nothing sent that could not be recorded
        counting.Down = false;

        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        Assert.All(Enumerable.Range(1, 12), chat => Assert.Single(CallsTo(chat)));
    }

    [Fact]
    public async Task Send_TextOverTheLimit_IsSplitAtLineBreaks_NeverRejectedWhole()
    {
        await StartAsync();
        var lines = Enumerable.Range(0, 400).Select(i => $"<b>{i:D4}</b> member &amp; name").ToList();
        var html = string.Join('\n', lines);

        var id = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 9, new SendText(html)));

        Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        var calls = CallsTo(9);
        Assert.True(calls.Count >= 3);
        Assert.All(calls, c => Assert.True(c.Text!.Length <= HtmlChunks.MaxLength));
        Assert.Equal(html, string.Join('\n', calls.Select(c => c.Text)));
    }

    [Fact]
    public void Truncate_OverlongSingleLine_DropsTagsAndCutsBeforeAnEntityWithAMarker()
    {
        var line = "<b>" + string.Concat(Enumerable.Repeat("a&amp;", 2000)) + "</b>";

        var cut = HtmlChunks.Truncate(line);

        Assert.True(cut.Length <= HtmlChunks.MaxLength);
        Assert.EndsWith(HtmlChunks.CutMarker, cut, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", cut, StringComparison.Ordinal);
        Assert.Matches("^(a&amp;)+a?…$", cut);
    }

    [Fact]
    public async Task LiveSummaryEdits_AreCoalesced_TheNewestWins_OnePerInterval()
    {
        await StartAsync(Options(o => o.EditInterval = TimeSpan.FromSeconds(1)));
        var first = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 5, new EditText(77, "0 of 6 arrived")));
        await WaitForOutcomeAsync(first);

        // Within the interval of the first edit: the burst waits for it, and only its newest edit goes out.
        var burst = await EnqueueAsync(Enumerable.Range(1, 6).Select(i => new OutboxMessage(Lane.Normal, 5, new EditText(77, $"{i} of 6 arrived"))).ToArray());
        foreach (var id in burst)
        {
            await WaitForOutcomeAsync(id);
        }

        var later = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 5, new EditText(77, "final")));
        await WaitForOutcomeAsync(later);

        var edits = CallsTo(5);
        Assert.Equal(["0 of 6 arrived", "6 of 6 arrived", "final"], edits.Select(c => c.Text));
        AssertAtLeast(TimeSpan.FromSeconds(1) - Slack, edits[0], edits[1]);
        AssertAtLeast(TimeSpan.FromSeconds(1) - Slack, edits[1], edits[2]);
        var superseded = await _store.GetDeliveryAsync(burst[2], CancellationToken.None);
        Assert.Equal("superseded by a newer edit", superseded!.Error);
    }

    [Fact]
    public async Task LiveSummaryEdits_ClaimedTogether_OnlyTheNewestIsSent()
    {
        await StartAsync(Options(o => o.EditInterval = TimeSpan.FromSeconds(1)));

        var burst = await EnqueueAsync(Enumerable.Range(1, 6).Select(i => new OutboxMessage(Lane.Normal, 5, new EditText(77, $"{i} of 6 arrived"))).ToArray());
        var records = new List<DeliveryRecord>();
        foreach (var id in burst)
        {
            records.Add(await WaitForOutcomeAsync(id));
        }

        Assert.Equal(["6 of 6 arrived"], CallsTo(5).Select(c => c.Text));
        Assert.All(records.SkipLast(1), r => Assert.Equal((DeliveryStatus.Sent, "superseded by a newer edit"), (r.Status, r.Error)));
        Assert.Equal((DeliveryStatus.Sent, null), (records[^1].Status, records[^1].Error));
    }

    [Fact]
    public async Task TaggedEdits_InQuickSuccession_OneEditWithTheLatestText_ReachesTheNewestTaggedMessageOfThatChat()
    {
        const long group = -1_001_234_567_890;
        const string tag = "muster:12:summary";
        _respond = call => Task.FromResult(new Message
        {
            Id = call.Text switch { "old summary" => 4100, "summary" => 4242, "other chat summary" => 5151, _ => call.MessageId ?? 1000 },
            Chat = new Chat { Id = call.ChatId },
        });
        await StartAsync(Options(o => o.EditInterval = TimeSpan.FromSeconds(1)));
        foreach (var id in await EnqueueAsync(
            new OutboxMessage(Lane.Normal, group, new SendText("old summary")) { Tag = tag },
            new OutboxMessage(Lane.Normal, group, new SendText("summary")) { Tag = tag },
            new OutboxMessage(Lane.Normal, 7, new SendText("other chat summary")) { Tag = tag }))
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        var edits = await EnqueueAsync(
            new OutboxMessage(Lane.Normal, group, new EditText(0, "1 of 5 checked in") { TargetTag = tag }),
            new OutboxMessage(Lane.Normal, group, new EditText(0, "2 of 5 checked in") { TargetTag = tag }));
        var older = await WaitForOutcomeAsync(edits[0]);
        var newer = await WaitForOutcomeAsync(edits[1]);

        Assert.Equal([(4242, "2 of 5 checked in")], CallsTo(group).Where(c => c.Method == "edit").Select(c => (c.MessageId, c.Text)));
        Assert.DoesNotContain(CallsTo(7), c => c.Method == "edit");
        Assert.Equal("superseded by a newer edit", older.Error);
        Assert.Equal((DeliveryStatus.Sent, (int?)4242, 1), (newer.Status, newer.TelegramMessageId, newer.Attempts));
    }

    [Fact]
    public async Task TaggedEdit_QueuedBeforeItsTargetIsSent_WaitsThenEditsThatMessage()
    {
        const long group = -1_001_234_567_890;
        const string tag = "muster:12:summary";
        _respond = call => Task.FromResult(new Message { Id = call.Method == "send" ? 4242 : call.MessageId ?? 0, Chat = new Chat { Id = call.ChatId } });
        await StartAsync();

        // The summary is held back a little, so the edit is claimed while its target is still queued.
        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Normal, group, new SendText("summary")) { Tag = tag, NotBefore = DateTimeOffset.UtcNow.AddMilliseconds(300) },
            new OutboxMessage(Lane.Normal, group, new EditText(0, "3 of 5 checked in") { TargetTag = tag }) { Tag = tag });
        var edit = await WaitForOutcomeAsync(ids[1]);

        Assert.Equal(DeliveryStatus.Sent, edit.Status);
        Assert.Equal(4242, edit.TelegramMessageId);
        Assert.Equal(1, edit.Attempts);
        var calls = CallsTo(group);
        Assert.Equal([("send", (int?)null, "summary"), ("edit", 4242, "3 of 5 checked in")], calls.Select(c => (c.Method, c.MessageId, c.Text)));
        Assert.Equal(4242, (await _store.GetDeliveryAsync(ids[0], CancellationToken.None))!.TelegramMessageId);
    }

    [Fact]
    public async Task TaggedEdit_WhoseTargetStaysQueued_IsRecordedFailedAfterTheWait_WithoutCallingTelegram()
    {
        const string tag = "muster:12:summary";
        await StartAsync(Options(o =>
        {
            o.TargetWait = TimeSpan.FromMilliseconds(500);
            o.TargetPoll = TimeSpan.FromMilliseconds(50);
        }));

        var started = Stopwatch.GetTimestamp();
        var ids = await EnqueueAsync(
            new OutboxMessage(Lane.Normal, 5, new SendText("summary")) { Tag = tag, NotBefore = DateTimeOffset.UtcNow.AddHours(1) },
            new OutboxMessage(Lane.Normal, 5, new EditText(0, "1 of 5") { TargetTag = tag }));
        var edit = await WaitForOutcomeAsync(ids[1]);

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(500) - Slack, "the edit did not wait for its target");
        Assert.Equal((DeliveryStatus.Failed, "target message not sent", 0), (edit.Status, edit.Error, edit.Attempts));
        Assert.Empty(_calls);
        Assert.Equal(DeliveryStatus.Queued, (await _store.GetDeliveryAsync(ids[0], CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task TaggedEdit_WithNoTaggedMessageInItsChat_IsRecordedFailedAtOnce()
    {
        const string tag = "muster:12:summary";
        await StartAsync(Options(o => o.TargetWait = TimeSpan.FromSeconds(60)));
        Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 7, new SendText("summary")) { Tag = tag }))).Status);

        var started = Stopwatch.GetTimestamp();
        var edit = await WaitForOutcomeAsync(await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 5, new EditText(0, "1 of 5") { TargetTag = tag })));

        Assert.Equal((DeliveryStatus.Failed, "no message tagged muster:12:summary was sent to this chat"), (edit.Status, edit.Error));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20), "the edit waited for its target (60 s) although nothing was queued");
        Assert.Empty(CallsTo(5));
    }

    [Fact]
    public async Task TaggedEdit_WhoseTargetWasUnreachable_IsRecordedFailedAtOnce()
    {
        const string tag = "muster:12:summary";
        _respond = _ => Task.FromException<Message>(new ApiRequestException("Forbidden: bot was blocked by the user", 403));
        await StartAsync();
        var target = await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 5, new SendText("summary")) { Tag = tag });
        Assert.Equal(DeliveryStatus.Unreachable, (await WaitForOutcomeAsync(target)).Status);

        var edit = await WaitForOutcomeAsync(await EnqueueOneAsync(new OutboxMessage(Lane.Normal, 5, new EditText(0, "1 of 5") { TargetTag = tag })));

        Assert.Equal(DeliveryStatus.Failed, edit.Status);
        Assert.StartsWith($"target message {target} tagged {tag} ended Unreachable", edit.Error, StringComparison.Ordinal);
        Assert.Equal(["send"], _calls.Select(c => c.Method));
    }

    [Fact]
    public async Task DirectReply_DuringALongEmergencyFanOut_IsNotQueuedBehindIt()
    {
        var fanOut = await EnqueueAsync(Enumerable.Range(0, 1000).Select(i => new OutboxMessage(Lane.Emergency, 10_000 + i, new SendText("muster"))).ToArray());
        await StartAsync(Options(o => o.GlobalPerSecond = 100));
        await WaitUntilAsync(() => _calls.Count >= 20);

        var sentBeforeTheReply = _calls.Count;
        var reply = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 3, new SendText("your check-in is recorded")));
        await WaitForOutcomeAsync(reply);

        // The reply went out while most of the fan-out was still waiting (it is not behind 1000 emergency messages).
        // Counted from its commit, so a test thread that is slow to commit it does not count against the sender.
        var emergencyAfter = _calls.TakeWhile(c => c.ChatId != 3).Count() - sentBeforeTheReply;
        Assert.True(emergencyAfter < 80, $"{emergencyAfter} emergency messages went after the reply was committed and before it");
        Assert.True(await _store.GetDeliveryAsync(fanOut[^1], CancellationToken.None) is { Status: DeliveryStatus.Queued });
    }

    [Fact]
    public async Task MessagesToOneChat_ArriveInCommitOrder_EvenWhenCallsTakeDifferentTimes()
    {
        // Each call "arrives at Telegram" after its own network delay; concurrent calls to one chat could overtake.
        var delays = new ConcurrentQueue<int>([120, 10, 60, 5, 30]);
        var arrived = new ConcurrentQueue<string>();
        _respond = async call =>
        {
            await Task.Delay(delays.TryDequeue(out var ms) ? ms : 1);
            arrived.Enqueue(call.Text!);
            return new Message { Id = 1, Chat = new Chat { Id = call.ChatId } };
        };
        await StartAsync(Options(o => o.PerChatBurst = 10));

        var ids = await EnqueueAsync(Enumerable.Range(1, 5).Select(i => new OutboxMessage(Lane.Reply, 77, new SendText("m" + i))).ToArray());
        foreach (var id in ids)
        {
            await WaitForOutcomeAsync(id);
        }

        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], arrived);
    }

    [Fact]
    public async Task MessagesToOneChat_ThatChatFreedWhileAnEarlierOneGoesBack_TheLaterOnesOfTheClaimDoNotOvertakeIt()
    {
        // m1 is in flight when m2..m4 are claimed together, so m2 goes back to the outbox; while it does, m1 ends and
        // frees the chat. m3 must not take the chat before m2 (found as a rare failure of the test above on a busy
        // machine; this makes the moment certain).
        var first = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        _respond = call => call.Text == "m1" ? first.Task : Task.FromResult(new Message { Id = 1, Chat = new Chat { Id = call.ChatId } });
        var m1 = 0L;
        var store = new PutBackHook(_store, async () =>
        {
            if (!first.Task.IsCompleted)
            {
                first.SetResult(new Message { Id = 1, Chat = new Chat { Id = 77 } });
                await WaitForOutcomeAsync(m1);
                await Task.Delay(100); // the chat is freed just after the outcome is recorded (a short wait can only hide the bug)
            }
        });
        await StartAsync(Options(o => o.PerChatBurst = 10), store);
        m1 = await EnqueueOneAsync(new OutboxMessage(Lane.Reply, 77, new SendText("m1")));
        await WaitUntilAsync(() => !_calls.IsEmpty);

        var ids = await EnqueueAsync([.. Enumerable.Range(2, 3).Select(i => new OutboxMessage(Lane.Reply, 77, new SendText("m" + i)))]);
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryStatus.Sent, (await WaitForOutcomeAsync(id)).Status);
        }

        Assert.Equal(["m1", "m2", "m3", "m4"], _calls.Select(c => c.Text));
    }

    /// <summary>The in-memory store, with a hook that runs before each put-back.</summary>
    private sealed class PutBackHook(IStateStore inner, Func<Task> beforePutBack) : IStateStore
    {
        public Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken) => inner.GetManyAsync(keys, cancellationToken);

        public Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken) => inner.GetSetMembersAsync(setName, shard, cancellationToken);

        public Task<bool> IsUpdateHandledAsync(long updateId, long shard, CancellationToken cancellationToken) => inner.IsUpdateHandledAsync(updateId, shard, cancellationToken);

        public Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken) => inner.CommitAsync(commit, cancellationToken);

        public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken) => inner.ClaimOutboxAsync(max, lease, cancellationToken);

        public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken) => inner.ClaimOutboxAsync(max, reservedForReplies, lease, cancellationToken);

        public Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken) => inner.CompleteOutboxAsync(outboxId, record, cancellationToken);

        public Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken) => inner.ForwardOutboxAsync(outboxId, record, forward, cancellationToken);

        public Task EraseAllAsync(CancellationToken cancellationToken) => inner.EraseAllAsync(cancellationToken);

        public async Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken)
        {
            await beforePutBack();
            await inner.RetryOutboxAsync(outboxId, notBefore, attempts, cancellationToken);
        }

        public Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken) => inner.GetDeliveryAsync(outboxId, cancellationToken);

        public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken) => inner.GetDeliveriesByTagAsync(tag, shard, cancellationToken);

        public Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken) => inner.CountOutboxAsync(cancellationToken);

        public Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken) => inner.ClaimDueTimersAsync(max, lease, cancellationToken);

        public Task<TimerEntry?> GetTimerAsync(string timerId, long shard, CancellationToken cancellationToken) => inner.GetTimerAsync(timerId, shard, cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
    }

    private Task<Message> Respond(Call call)
    {
        _calls.Enqueue(call);
        return _respond(call);
    }

    private List<Call> CallsTo(long chatId) => [.. _calls.Where(c => c.ChatId == chatId).OrderBy(c => c.At)];

    private async Task StartAsync(SenderOptions? options = null, IStateStore? store = null, ISendRates? rates = null)
    {
        _sender = new OutboxSender(
            store ?? _store,
            rates ?? _store,
            new OutboxExecutor(_client.Object),
            _signal,
            TestMetrics.Create(),
            Microsoft.Extensions.Options.Options.Create(options ?? Options()),
            TimeProvider.System,
            new Microsoft.Extensions.Logging.Logger<OutboxSender>(new Microsoft.Extensions.Logging.LoggerFactory([_logs])));
        await _sender.StartAsync(CancellationToken.None);
    }

    private async Task<long> EnqueueOneAsync(OutboxMessage message) => (await EnqueueAsync(message))[0];

    private async Task<IReadOnlyList<long>> EnqueueAsync(params OutboxMessage[] messages)
    {
        var result = await _store.CommitAsync(new Commit { Outbox = messages }, CancellationToken.None);
        Assert.Equal(CommitStatus.Committed, result.Status);
        _signal.Notify();
        return result.OutboxIds;
    }

    private async Task<DeliveryRecord> WaitForOutcomeAsync(long outboxId)
    {
        DeliveryRecord? record = null;
        await WaitUntilAsync(async () =>
        {
            record = await _store.GetDeliveryAsync(outboxId, CancellationToken.None);
            return record is { Status: not DeliveryStatus.Queued };
        });
        return record!;
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > WaitLimit)
            {
                Assert.Fail($"condition not met within {WaitLimit.TotalSeconds} s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>One Bot API call as the mock saw it; <see cref="At"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    private sealed record Call(string Method, long ChatId, string? Text, string? CallbackQueryId = null)
    {
        public long At { get; } = Stopwatch.GetTimestamp();

        /// <summary>The message an edit was aimed at.</summary>
        public int? MessageId { get; init; }
    }

    /// <summary>
    /// The in-memory store, counting the calls the sender makes by method name; while <see cref="Down"/> every call but
    /// the reads of delivery records fails, as Redis does when it is unreachable.
    /// </summary>
    private sealed class CountingStore(IStateStore inner) : IStateStore
    {
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

        public volatile bool Down;

        public int Count(string method) => _calls.GetValueOrDefault(method);

        public Task<StoredDoc?> GetAsync(DocKey key, CancellationToken cancellationToken) => Call(() => inner.GetAsync(key, cancellationToken));

        public Task<IReadOnlyList<StoredDoc?>> GetManyAsync(IReadOnlyList<DocKey> keys, CancellationToken cancellationToken) => Call(() => inner.GetManyAsync(keys, cancellationToken));

        public Task<IReadOnlyList<string>> GetSetMembersAsync(string setName, long shard, CancellationToken cancellationToken) => Call(() => inner.GetSetMembersAsync(setName, shard, cancellationToken));

        public Task<bool> IsUpdateHandledAsync(long updateId, long shard, CancellationToken cancellationToken) => Call(() => inner.IsUpdateHandledAsync(updateId, shard, cancellationToken));

        public Task<CommitResult> CommitAsync(Commit commit, CancellationToken cancellationToken) => Call(() => inner.CommitAsync(commit, cancellationToken));

        public Task EraseAllAsync(CancellationToken cancellationToken) => Call(() => inner.EraseAllAsync(cancellationToken));

        public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken) => Call(() => inner.ClaimOutboxAsync(max, lease, cancellationToken));

        public Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(int max, int reservedForReplies, TimeSpan lease, CancellationToken cancellationToken) => Call(() => inner.ClaimOutboxAsync(max, reservedForReplies, lease, cancellationToken));

        public Task CompleteOutboxAsync(long outboxId, DeliveryRecord record, CancellationToken cancellationToken) => Call(() => inner.CompleteOutboxAsync(outboxId, record, cancellationToken));

        public Task<long?> ForwardOutboxAsync(long outboxId, DeliveryRecord record, OutboxMessage forward, CancellationToken cancellationToken) => Call(() => inner.ForwardOutboxAsync(outboxId, record, forward, cancellationToken));

        public Task RetryOutboxAsync(long outboxId, DateTimeOffset notBefore, int attempts, CancellationToken cancellationToken) => Call(() => inner.RetryOutboxAsync(outboxId, notBefore, attempts, cancellationToken));

        public Task<DeliveryRecord?> GetDeliveryAsync(long outboxId, CancellationToken cancellationToken) => inner.GetDeliveryAsync(outboxId, cancellationToken);

        public Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesByTagAsync(string tag, long shard, CancellationToken cancellationToken) => Call(() => inner.GetDeliveriesByTagAsync(tag, shard, cancellationToken));

        public Task<IReadOnlyDictionary<Lane, long>> CountOutboxAsync(CancellationToken cancellationToken) => Call(() => inner.CountOutboxAsync(cancellationToken));

        public Task<IReadOnlyList<TimerEntry>> ClaimDueTimersAsync(int max, TimeSpan lease, CancellationToken cancellationToken) => Call(() => inner.ClaimDueTimersAsync(max, lease, cancellationToken));

        public Task<TimerEntry?> GetTimerAsync(string timerId, long shard, CancellationToken cancellationToken) => Call(() => inner.GetTimerAsync(timerId, shard, cancellationToken));

        public Task PingAsync(CancellationToken cancellationToken) => Call(() => inner.PingAsync(cancellationToken));

        private T Call<T>(Func<T> call, [System.Runtime.CompilerServices.CallerMemberName] string method = "")
            where T : Task
        {
            _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
            return Down ? throw new InvalidOperationException("store unreachable") : call();
        }
    }
}
