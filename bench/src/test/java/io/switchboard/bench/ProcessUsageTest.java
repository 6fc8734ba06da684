package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessUsageTest {

    @Test
    void findsTheRunningBrokersWithTheirMemoryAndCpu() {
        Map<String, ProcessUsage.Usage> usage = ProcessUsage.sample();

        assertThat(usage).containsKeys("kafka", "rabbitmq", "redis", "memcached", "postgres");
        assertThat(usage.get("redis").rssBytes()).isPositive();
        assertThat(usage.get("rabbitmq").rssBytes()).isPositive();
        assertThat(usage.get("kafka").cpuSeconds()).isPositive();
        assertThat(List.copyOf(usage.keySet())).containsSubsequence("kafka", "rabbitmq", "redis", "memcached");
    }

    @Test
    void namesProcessesByTheirCommandLines() {
        assertThat(ProcessUsage.nameOf(List.of("/usr/bin/java", "-Xmx384m", "-jar",
                "/work/main/.switchboard/run/worker-service.jar", "--spring.profiles.active=local"))).isEqualTo("worker-service");
        assertThat(ProcessUsage.nameOf(List.of("java", "-jar", "../gateway-service/target/gateway-service-exec.jar",
                "--server.port=18080"))).isEqualTo("gateway-service");
        assertThat(ProcessUsage.nameOf(List.of("java", "-jar", "/work/main/single-process/target/single-process.jar",
                "/work/main/.switchboard/run/gateway-service.jar", "/work/main/.switchboard/run/planner-service.jar", "--",
                "--spring.profiles.active=local"))).isEqualTo("single-process");
        assertThat(ProcessUsage.nameOf(List.of("java", "-jar", "bench/target/sync-chain-exec.jar", "--chain.role=planner")))
                .isEqualTo("sync-planner");
        assertThat(ProcessUsage.nameOf(List.of("java", "-cp", "/work/main/.switchboard/kafka/libs/*", "kafka.Kafka",
                "server.properties"))).isEqualTo("kafka");
        assertThat(ProcessUsage.nameOf(List.of("/usr/lib/erlang/erts-13.1.5/bin/beam.smp", "-W", "w", "--", "-noshell",
                "-noinput", "-s", "rabbit", "boot"))).isEqualTo("rabbitmq");
        assertThat(ProcessUsage.nameOf(List.of("redis-server 127.0.0.1:6379          "))).isEqualTo("redis");
        assertThat(ProcessUsage.nameOf(List.of("memcached", "-d", "-u", "memcache", "-p", "11211"))).isEqualTo("memcached");
        // PostgreSQL's server and its backends, which rename themselves
        assertThat(ProcessUsage.nameOf(List.of("/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/15/main"))).isEqualTo("postgres");
        assertThat(ProcessUsage.nameOf(List.of("postgres: 15/main: switchboard switchboard 127.0.0.1(51234) idle"))).isEqualTo("postgres");
    }

    @Test
    void leavesOutBuildsAndToolsThatMentionTheSameNames() {
        assertThat(ProcessUsage.nameOf(List.of("/usr/bin/java", "-cp",
                "/work/main/gateway-service/target/test-classes:/work/main/gateway-service/target/classes",
                "org.apache.maven.surefire.booter.ForkedBooter"))).isNull();
        assertThat(ProcessUsage.nameOf(List.of("/usr/lib/erlang/erts-13.1.5/bin/beam.smp", "--", "-noshell", "-s",
                "elixir", "start_cli", "-extra", "/usr/lib/rabbitmq/bin/rabbitmqctl", "status"))).isNull();
        assertThat(ProcessUsage.nameOf(List.of("redis-cli", "info"))).isNull();
        assertThat(ProcessUsage.nameOf(List.of())).isNull();
    }

    @Test
    void readsResidentMemoryAndCpuTimeFromProc() {
        String status = "Name:\tbeam.smp\nVmPeak:\t 2254804 kB\nVmRSS:\t  148676 kB\nThreads:\t28\n";
        String stat = "10298 (beam.smp) S 10288 10286 10286 0 -1 4194304 165080 200 5 0 839 507 0 0 20 0 20 0 901562 "
                + "2308919296 37169 18446744073709551615";

        ProcessUsage.Usage usage = ProcessUsage.usage(status, stat);

        assertThat(usage.rssBytes()).isEqualTo(148676L * 1024);
        assertThat(usage.cpuSeconds()).isEqualTo(13.46);
    }
}
