# One image for each of the five services; MODULE picks the service:
#
#   ./mvnw -DskipTests package
#   docker build --build-arg MODULE=gateway-service -t ghcr.io/switchboard/gateway-service:0.1.0 .
#
# The jar is built outside the image (the context holds only the */target/*-exec.jar files, see
# .dockerignore), so the image needs no JDK or Maven.
#
# Ubuntu-based Temurin JRE, pinned to an exact release. It already ships curl, which the
# docker-compose.yml healthchecks call, so nothing is installed here; the RUN below fails the
# build if a future base image drops it.
FROM eclipse-temurin:21.0.12_8-jre-noble

ARG MODULE

RUN set -eux; \
    test -n "${MODULE}" || { echo 'build with --build-arg MODULE=<service>' >&2; exit 1; }; \
    curl --version > /dev/null; \
    groupadd --system --gid 10001 switchboard; \
    useradd --system --uid 10001 --gid switchboard --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin switchboard

LABEL org.opencontainers.image.title="${MODULE}"

WORKDIR /app
# Owned by root and read-only for the service's user: the process cannot rewrite its own code.
COPY ${MODULE}/target/${MODULE}-exec.jar /app/app.jar

# Numeric, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
USER 10001:10001

# Ports differ per service, so no EXPOSE: the API on 8080-8084 (gateway, planner, worker,
# composer, operations) and actuator (health probes, Prometheus) on its own management port,
# 8180-8184 in the same order. In a container both must listen on its network: set
# SERVER_ADDRESS and MANAGEMENT_SERVER_ADDRESS to 0.0.0.0 (docker-compose.yml and
# deploy/k8s/base/config.yml do).
# exec form: java is PID 1 and receives SIGTERM directly, which starts Spring's graceful shutdown.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
