# MusterBot: build with the .NET 10 SDK, run on the ASP.NET Core runtime image.
# Build:  docker build -t musterbot .      (docker-compose.yml does this for you)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so a change to the code does not download the packages again.
# global.json asks for SDK 10.0.100 or newer (rollForward latestFeature): whatever 10.0 SDK this image has builds.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MusterBot.State/MusterBot.State.csproj src/MusterBot.State/
COPY src/MusterBot.Flows/MusterBot.Flows.csproj src/MusterBot.Flows/
COPY src/MusterBot.Emulator/MusterBot.Emulator.csproj src/MusterBot.Emulator/
COPY src/MusterBot.Host/MusterBot.Host.csproj src/MusterBot.Host/
RUN dotnet restore src/MusterBot.Host/MusterBot.Host.csproj
COPY src/ src/
RUN dotnet publish src/MusterBot.Host/MusterBot.Host.csproj -c Release -o /app --no-restore --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the HEALTHCHECK below (the runtime image has neither curl nor wget).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# Listen on all interfaces inside the container (webhook, /healthz, /readyz). In polling mode nothing needs to
# reach this port from outside: docker-compose.yml publishes it only with the webhook override.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
# Production: without a bot token the process exits (code 2) instead of opening the sandbox.
ENV ASPNETCORE_ENVIRONMENT=Production
# W^X off: the runtime's write-xor-execute double mapping of JIT code cost the city check-in burst about a third of
# its throughput on a 2-core host (docs/deployment.md#runtime-settings). Read by the runtime only from the environment.
ENV DOTNET_EnableWriteXorExecute=0
EXPOSE 8080
# Healthy when Redis and the Bot API answer (/readyz is 200; 503 otherwise). The reading is cached for 2 s.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/readyz || exit 1
USER app
ENTRYPOINT ["dotnet", "MusterBot.Host.dll"]
