using MusterBot.State;
using MusterBot.State.Memory;

namespace MusterBot.Tests.State;

public sealed class InMemoryStateStoreTests : StateStoreContract
{
    protected override Task<IStateStore> CreateStoreAsync(FakeTimeProvider clock) =>
        Task.FromResult<IStateStore>(new InMemoryStateStore(clock));
}
