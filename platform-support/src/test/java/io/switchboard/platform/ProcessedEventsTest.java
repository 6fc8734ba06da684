package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** De-duplication against the real Redis: the Bloom filter's hint and the exact check behind it. */
class ProcessedEventsTest {

    private static final int DESIGN_CAPACITY = 10_000;
    private static final double DESIGN_RATE = 0.01;

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final String consumer = "dedupe-test-" + UUID.randomUUID();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // A clock that stands still: the filters turn over every 10 minutes, and one that turned over
    // while a test filled them would split its ids between two.
    private final ProcessedEvents processed = new ProcessedEvents(redis, consumer, Duration.ofMinutes(10),
            BloomFilter.sizedFor(DESIGN_CAPACITY, DESIGN_RATE), Clock.fixed(Instant.now(), ZoneOffset.UTC), meters);

    @AfterEach
    void cleanUp() {
        RedisForTests.deleteAll(redis, "sb:" + consumer + ":*");
    }

    @Test
    void aMarkedEventIsDoneAndAnotherIsNot() {
        processed.markDone("event-1");

        assertThat(processed.done("event-1")).isTrue();
        assertThat(processed.done("event-2")).isFalse();
        assertThat(meters.counter("switchboard.dedupe.checks", "answer", "duplicate").count()).isEqualTo(1);
        assertThat(meters.counter("switchboard.dedupe.checks", "answer", "new").count()).isEqualTo(1);
    }

    /**
     * Fills the filter to its design size and then to twice that, probing 10,000 ids never seen
     * each time: the filter's false positives rise as designed, and every one of them is caught by
     * the exact check, so no new event is taken for a duplicate.
     */
    @Test
    void falsePositivesPastTheDesignSizeNeverDropAMessage() {
        IntStream.range(0, DESIGN_CAPACITY).forEach(i -> processed.markDone("seen-" + i));
        double atDesign = falsePositiveRate("fresh-a-");

        IntStream.range(DESIGN_CAPACITY, 2 * DESIGN_CAPACITY).forEach(i -> processed.markDone("seen-" + i));
        double atTwice = falsePositiveRate("fresh-b-");

        BloomFilter filter = BloomFilter.sizedFor(DESIGN_CAPACITY, DESIGN_RATE);
        System.out.printf("Bloom filter m=%d bits, k=%d, designed for %d items at %.1f%%:%n",
                filter.bits(), filter.hashes(), DESIGN_CAPACITY, DESIGN_RATE * 100);
        System.out.printf("  filled to 1x: false-positive rate %.2f%% of 10000 fresh ids%n", atDesign * 100);
        System.out.printf("  filled to 2x: false-positive rate %.2f%% of 10000 fresh ids; dropped 0%n", atTwice * 100);

        assertThat(atDesign).isBetween(0.002, 0.02);
        assertThat(atTwice).isGreaterThan(0.08);
        assertThat(IntStream.range(0, 2 * DESIGN_CAPACITY).filter(i -> i % 97 == 0)
                .allMatch(i -> processed.done("seen-" + i))).isTrue();
    }

    private double falsePositiveRate(String prefix) {
        double before = meters.counter("switchboard.dedupe.checks", "answer", "bloom_false_positive").count();
        long takenForDuplicates = IntStream.range(0, 10_000).filter(i -> processed.done(prefix + i)).count();
        assertThat(takenForDuplicates).as("new events taken for duplicates").isZero();
        return (meters.counter("switchboard.dedupe.checks", "answer", "bloom_false_positive").count() - before) / 10_000;
    }
}
