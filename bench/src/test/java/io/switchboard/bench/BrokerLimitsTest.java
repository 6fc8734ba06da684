package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerLimitsTest {

    @Test
    void readsProducerPerformancesSummary() {
        String output = """
                WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide.
                124486 records sent, 24892.2 records/sec (24.31 MB/sec), 1012.4 ms avg latency, 1480.0 ms max latency.
                300000 records sent, 38387.7 records/sec (37.49 MB/sec), 567.75 ms avg latency, 851.00 ms max latency, \
                552 ms 50th, 817 ms 95th, 838 ms 99th, 848 ms 99.9th.
                """;

        assertThat(BrokerLimits.parseKafka(output))
                .isEqualTo(new BrokerLimits.KafkaFigures(300000, 38387.7, 37.49, 567.75, 851, 552, 817, 838, 848));
    }

    @Test
    void readsPerfTestsSummary() {
        String output = """
                id: test-140406-558, time 8.000 s, sent: 9210 msg/s, confirmed: 9210 msg/s, nacked: 0 msg/s, \
                received: 9278 msg/s, min/median/75th/95th/99th consumer latency: 994/6011/8170/17420/45147 µs, \
                confirm latency: 1832/9601/11309/14572/44138 µs
                test stopped (Reached time limit)
                id: test-140406-558, sending rate avg: 7511 msg/s
                id: test-140406-558, receiving rate avg: 7498 msg/s
                id: test-140406-558, consumer latency min/median/75th/95th/99th 779/9010/25916/563034/655205 µs
                id: test-140406-558, confirm latency min/median/75th/95th/99th 642/10163/12772/23177/36840 µs
                """;

        assertThat(BrokerLimits.parseRabbit(output))
                .isEqualTo(new BrokerLimits.RabbitFigures(7511, 7498, 9.010, 655.205, 10.163, 36.840));
    }

    @Test
    void readsRedisBenchmarksCsv() {
        String output = """
                "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
                "SET sb:bench:str v PX 60000","79365.08","0.355","0.088","0.327","0.535","0.703","1.575"
                """;

        assertThat(BrokerLimits.parseRedis(output)).isEqualTo(79365.08);
    }

    @Test
    void measuresEachBrokerAndCleansUp() {
        BrokerLimits.Settings tiny = new BrokerLimits.Settings(20_000, 1024, 3, 8, 1, 100, 2_000, 50);

        BrokerLimits.Result result = BrokerLimits.measure(BrokerLimits.defaultTools(), tiny);

        assertThat(result.kafka().records()).isEqualTo(20_000);
        assertThat(result.kafka().recordsPerSecond()).isPositive();
        assertThat(result.rabbit().publishedPerSecond()).isPositive();
        assertThat(result.rabbit().consumedPerSecond()).isPositive();
        assertThat(result.redis()).hasSize(BrokerLimits.redisCommands("", "").size())
                .allSatisfy((command, rate) -> assertThat(rate).isPositive());
        assertThat(result.table()).contains("| Kafka | ProducerPerformance (kafka-tools 4.1.2)", "| RabbitMQ | PerfTest 2.22.1",
                "`EVALSHA <sha1> 1 sb:bench:fence`");
        assertThat((List<?>) ((List<?>) BrokerCounters.redis("SCAN", "0", "MATCH", "sb:bench:*", "COUNT", "100000")).get(1))
                .isEmpty();
    }
}
