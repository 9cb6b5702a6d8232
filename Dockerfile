# Two images for docker-compose.yml, from the repository root: the control panel (the last stage, the default
# target) and Apache Airflow with the pipeline program its tasks run (target "airflow").
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Cord19.Web/Cord19.Web.csproj -c Release -o /app
# The pipeline program: the AWS target ships it to its instance in phase 3 (nothing is compiled on the instance),
# and the Airflow image below runs it.
RUN dotnet publish Cord19.Pipeline/Cord19.Pipeline.csproj -c Release -r linux-x64 --self-contained -o /app/pipeline-linux-x64

# The release is the AWS target's default (Settings' AirflowVersion); a test keeps the two and docker-compose.yml equal.
FROM apache/airflow:3.2.2 AS airflow
USER root
# .NET reads ICU for text; libicu-dev names the distribution's current ICU, as the AWS instance's first boot does.
RUN apt-get update && apt-get install -y --no-install-recommends libicu-dev \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# Where the DAGs look when no Airflow Variable says otherwise (DagFiles' defaults): the program on the PATH and the
# shipped CORD-19 sample as the metadata.
COPY --from=build /app/pipeline-linux-x64 /opt/cord19/pipeline
RUN ln -s /opt/cord19/pipeline/cord19-pipeline /usr/local/bin/cord19-pipeline \
 && cp /opt/cord19/pipeline/SampleData/metadata_sample.csv.gz /opt/cord19/metadata.csv.gz
USER airflow

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the health check; nothing else is added to the runtime image. /data belongs to the image's own unprivileged
# user (app, uid $APP_UID = 1654): a named volume first mounted there takes that owner.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && install -d -o "$APP_UID" -g "$APP_UID" -m 0700 /data
WORKDIR /app
COPY --from=build /app .
ENV CORD19_DATA_DIR=/data ASPNETCORE_URLS=http://0.0.0.0:8080 CORD19_PIPELINE_BUNDLE=/app/pipeline-linux-x64
EXPOSE 8080
# The panel holds the keys to an AWS account: it runs as that user, not root, and may write /data alone (/app is root's).
USER $APP_UID
ENTRYPOINT ["dotnet", "Cord19.Web.dll"]
