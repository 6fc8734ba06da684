package io.switchboard.platform;

import static io.switchboard.events.Priority.BACKGROUND;
import static io.switchboard.events.Priority.INTERACTIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.RedisKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/** The shares of the interactive lane, judged from the tenants' runs in flight in the real Redis; fresh tenants per test. */
class InteractiveShareTest {

    private static final RedisScript<Long> ADD = RedisScript.of(InteractiveShare.ADD_FUNCTION
            + "return runs_in_flight_add(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])", Long.class);

    private static final StringRedisTemplate redis = RedisForTests.connect();

    private final SteppedClock clock = new SteppedClock();
    private final String acme = "share-test-acme-" + UUID.randomUUID();
    private final String globex = "share-test-globex-" + UUID.randomUUID();
    private final InteractiveShare share = new InteractiveShare(new PlatformProperties.FairShare(Duration.ofSeconds(10), 20, 2),
            redis, clock);

    @AfterEach
    void cleanUp() {
        redis.delete(List.of(RedisKeys.interactiveRunsInFlight(acme), RedisKeys.interactiveRunsInFlight(globex)));
    }

    @Test
    void aRunIsInFlightUntilItsDeadline() {
        long now = clock.millis();

        assertThat(inFlight(acme, "a", now + 1_000, now)).isEqualTo(1);
        assertThat(inFlight(acme, "b", now + 60_000, now)).isEqualTo(2);
        assertThat(inFlight(acme, "b", now + 60_000, now)).as("a run counts once").isEqualTo(2);
        assertThat(inFlight(acme, "c", now + 60_000, now + 2_000)).as("the first is past its deadline").isEqualTo(2);
        assertThat(redis.getExpire(RedisKeys.interactiveRunsInFlight(acme))).isPositive();
    }

    @Test
    void aTenantAloneIsNeverOverItsShare() {
        inFlight(globex, 1_000);

        for (int i = 0; i < 20; i++) {
            assertThat(share.lane(globex, INTERACTIVE, 1_000 + i)).isEqualTo(INTERACTIVE);
            clock.advance(InteractiveShare.JUDGED_EVERY);
        }
    }

    @Test
    void aTenantWithManyMoreRunsInFlightThanTheOthersTakesTheBackgroundLaneWhileALightOneKeepsTheInteractiveLane() {
        inFlight(acme, 2);
        inFlight(globex, 500);
        sendOne(acme, 2);
        sendOne(globex, 500);

        assertThat(share.lane(globex, INTERACTIVE, 501)).isEqualTo(BACKGROUND);
        assertThat(share.lane(acme, INTERACTIVE, 3)).isEqualTo(INTERACTIVE);
    }

    @Test
    void belowTheMinimumATenantIsNeverOverItsShare() {
        sendOne(acme, 0);
        sendOne(globex, 1);

        assertThat(share.lane(globex, INTERACTIVE, 19)).isEqualTo(INTERACTIVE);
        assertThat(share.lane(globex, INTERACTIVE, 20)).isEqualTo(BACKGROUND);
    }

    @Test
    void aTenantNotJudgedBeforeIsJudgedOnItsFirstRunNotAtTheNextInterval() {
        inFlight(acme, 5);
        inFlight(globex, 500);
        share.lane(acme, INTERACTIVE);

        // within the same judging interval
        assertThat(share.lane(globex, INTERACTIVE)).isEqualTo(BACKGROUND);
    }

    @Test
    void aStepIsJudgedByItsTenantsRunsInFlightAsLastRead() {
        inFlight(acme, 1);
        inFlight(globex, 500);
        share.lane(acme, INTERACTIVE);
        clock.advance(InteractiveShare.JUDGED_EVERY);

        assertThat(share.lane(globex, INTERACTIVE)).isEqualTo(BACKGROUND);
        assertThat(share.lane(acme, INTERACTIVE)).isEqualTo(INTERACTIVE);
        assertThat(share.lane(globex, BACKGROUND)).isEqualTo(BACKGROUND);

        redis.delete(RedisKeys.interactiveRunsInFlight(globex)); // its runs ended
        clock.advance(InteractiveShare.JUDGED_EVERY);

        assertThat(share.lane(globex, INTERACTIVE)).isEqualTo(INTERACTIVE);
    }

    @Test
    void tenantsWithAlikeRunsInFlightAreNeitherOver() {
        inFlight(acme, 100);
        inFlight(globex, 150);
        sendOne(acme, 100);
        sendOne(globex, 150);

        assertThat(share.lane(acme, INTERACTIVE, 101)).isEqualTo(INTERACTIVE);
        assertThat(share.lane(globex, INTERACTIVE, 151)).isEqualTo(INTERACTIVE);
    }

    @Test
    void twoTenantsWithAlikeFloodsAreNeitherOverWhateverAThirdSends() {
        String tiny = "share-test-tiny-" + UUID.randomUUID();
        inFlight(acme, 300);
        inFlight(globex, 300);
        sendOne(tiny, 0);
        sendOne(acme, 300);
        sendOne(globex, 300);

        assertThat(share.lane(acme, INTERACTIVE, 301)).isEqualTo(INTERACTIVE);
        assertThat(share.lane(globex, INTERACTIVE, 301)).isEqualTo(INTERACTIVE);
    }

    @Test
    void aFloodIsOverItsShareBesideManyTenantsSendingARunAtATime() {
        inFlight(globex, 300);
        for (int i = 0; i < 10; i++) {
            String light = "share-test-light-" + i + "-" + UUID.randomUUID();
            inFlight(light, 1);
            sendOne(light, 1);
            redis.expire(RedisKeys.interactiveRunsInFlight(light), Duration.ofMinutes(1));
        }
        sendOne(globex, 300);

        assertThat(share.lane(globex, INTERACTIVE, 301)).isEqualTo(BACKGROUND);
    }

    @Test
    void backgroundRunsKeepTheirLaneAndDoNotMakeTheirTenantCount() {
        IntStream.range(0, 100).forEach(i -> assertThat(share.lane(acme, BACKGROUND, 0)).isEqualTo(BACKGROUND));
        inFlight(globex, 500);
        sendOne(globex, 500);

        assertThat(share.lane(globex, INTERACTIVE, 501)).as("globex is alone on the interactive lane").isEqualTo(INTERACTIVE);
    }

    @Test
    void aTenantThatStoppedSendingNoLongerCountsOnceTheWindowHasPassed() {
        inFlight(globex, 500);
        sendOne(acme, 0);
        sendOne(globex, 500);
        assertThat(share.lane(globex, INTERACTIVE, 501)).isEqualTo(BACKGROUND);

        clock.advance(Duration.ofSeconds(11));
        sendOne(globex, 501);

        assertThat(share.lane(globex, INTERACTIVE, 502)).isEqualTo(INTERACTIVE);
    }

    /** One interactive run of the tenant, then a judging interval. */
    private void sendOne(String tenantId, long inFlight) {
        share.lane(tenantId, INTERACTIVE, inFlight);
        clock.advance(InteractiveShare.JUDGED_EVERY);
    }

    /** Puts {@code runs} runs of the tenant in flight, as the gateway's acceptance does, with a minute to their deadlines. */
    private void inFlight(String tenantId, int runs) {
        long now = clock.millis();
        IntStream.range(0, runs).forEach(i -> inFlight(tenantId, "run-" + i, now + 60_000, now));
    }

    private long inFlight(String tenantId, String runId, long deadline, long now) {
        return redis.execute(ADD, List.of(RedisKeys.interactiveRunsInFlight(tenantId)), tenantId + "/" + runId,
                String.valueOf(deadline), String.valueOf(now), "600");
    }

    private static final class SteppedClock extends Clock {

        private Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
