# The control panel as a container, for docker-compose.yml. Build context: the repository root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Cord19.Web/Cord19.Web.csproj -c Release -o /app
# The pipeline program the AWS target ships to its instance in phase 3 (nothing is compiled on the instance).
RUN dotnet publish Cord19.Pipeline/Cord19.Pipeline.csproj -c Release -r linux-x64 --self-contained -o /app/pipeline-linux-x64

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the health check; nothing else is added to the runtime image.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV CORD19_DATA_DIR=/data ASPNETCORE_URLS=http://0.0.0.0:8080 CORD19_PIPELINE_BUNDLE=/app/pipeline-linux-x64
EXPOSE 8080
ENTRYPOINT ["dotnet", "Cord19.Web.dll"]
