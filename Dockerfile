# MusterBot: build with the .NET 10 SDK, run on the ASP.NET Core runtime image.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig MusterBot.sln ./
COPY src/ src/
RUN dotnet publish src/MusterBot.Host/MusterBot.Host.csproj -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# Listen on all interfaces inside the container (webhook, /healthz, /readyz).
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
# Production: without a bot token the process exits (code 2) instead of opening the sandbox.
ENV ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "MusterBot.Host.dll"]
