package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import io.switchboard.events.RedisKeys;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Token budgets against the real Redis. */
class TokenBudgetsTest {

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final TokenBudgets budgets = new TokenBudgets(redis, Duration.ofMinutes(10), Clock.systemUTC());
    private final String tenant = "budget-test-" + UUID.randomUUID();

    @AfterEach
    void cleanUp() {
        RedisForTests.deleteAll(redis, "sb:" + tenant + ":*");
    }

    @Test
    void aRunIsAdmittedWhileItsEstimateFitsWhatTheTenantHasLeftToday() {
        assertThat(budgets.admit(tenant, "run-1", 1_000, 500, 200).admitted()).isTrue();
        assertThat(budgets.reserve(tenant, "run-1", "run-1.s1.t0", 450)).isEmpty();
        assertThat(budgets.reserve(tenant, "run-1", "run-1.s1.t1", 50)).isEmpty();

        assertThat(budgets.admit(tenant, "run-2", 1_000, 500, 200).admitted()).isTrue();
        assertThat(budgets.reserve(tenant, "run-2", "run-2.s1.t0", 400)).isEmpty();
        TokenBudgets.Admission refused = budgets.admit(tenant, "run-3", 1_000, 500, 200);

        assertThat(refused.admitted()).isFalse();
        assertThat(refused.dayUsed()).isEqualTo(900);
        assertThat(budgets.admit(tenant, "run-4", 1_000, 100, 200).runBudgetTooSmall()).isTrue();
        assertThat(budgets.today(tenant)).isEqualTo(new TokenBudgets.Usage(900, 1_000, 100));
    }

    @Test
    void concurrentReservationsNeverTakeARunPastItsBudget() throws Exception {
        budgets.admit(tenant, "run", 1_000_000, 200, 10);
        List<Callable<Boolean>> tasks = IntStream.range(0, 50)
                .<Callable<Boolean>>mapToObj(i -> () -> budgets.reserve(tenant, "run", "run.s1.t" + i, 10).isEmpty()).toList();
        long reserved;
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            reserved = pool.invokeAll(tasks).stream().filter(TokenBudgetsTest::get).count();
        }

        assertThat(reserved).isEqualTo(20);
        assertThat(budgets.run(tenant, "run")).isEqualTo(new TokenBudgets.Usage(200, 200, 0));
        assertThat(budgets.reserve(tenant, "run", "run.s1.t99", 10)).hasValueSatisfying(reason ->
                assertThat(reason).isEqualTo("token budget exceeded: the run's budget has 200 of 200 tokens used and the task needs 10"));
    }

    @Test
    void aFailedTaskThatReservedNothingGivesBackNothing() {
        budgets.admit(tenant, "run", 1_000, 100, 10);

        assertThat(budgets.reserve(tenant, "run", "run.s1.t0", 0)).isEmpty();
        budgets.release(tenant, "run", "run.s1.t0");

        assertThat(budgets.run(tenant, "run").used()).isZero();
    }

    @Test
    void aRunWithoutABudgetIsRefusedNotUnlimited() {
        assertThat(budgets.reserve(tenant, "run-never-admitted", "run-never-admitted.s1.t0", 1)).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("the run has no token budget"));
        assertThat(budgets.today(tenant).used()).isZero();
    }

    @Test
    void aTaskReservesOnceAndAFailedCallGivesItBack() {
        budgets.admit(tenant, "run", 1_000, 100, 10);

        assertThat(budgets.reserve(tenant, "run", "run.s1.t0", 60)).isEmpty();
        assertThat(budgets.reserve(tenant, "run", "run.s1.t0", 60)).as("redelivered").isEmpty();
        assertThat(budgets.run(tenant, "run").used()).isEqualTo(60);

        budgets.release(tenant, "run", "run.s1.t0");
        budgets.release(tenant, "run", "run.s1.t0");
        assertThat(budgets.run(tenant, "run").used()).isZero();
        assertThat(budgets.today(tenant).used()).isZero();
    }

    private static boolean get(Future<Boolean> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSettledTaskReplacesItsReservationByWhatItUsedInBothBudgetsOnce() {
        budgets.admit(tenant, "run", 10_000, 5_000, 100);
        budgets.reserve(tenant, "run", "run.s1.t0", 1_200);
        budgets.reserve(tenant, "run", "run.s1.t1", 300);

        assertThat(budgets.settle(tenant, "run", "run.s1.t0", 450)).isTrue();
        assertThat(budgets.settle(tenant, "run", "run.s1.t0", 450)).isFalse();
        budgets.release(tenant, "run", "run.s1.t0");

        assertThat(budgets.run(tenant, "run").used()).isEqualTo(450 + 300);
        assertThat(budgets.today(tenant).used()).isEqualTo(450 + 300);
    }

    @Test
    void aModelCallsUsageIsCountedByModelForTheRunAndTheDayOncePerTask() {
        budgets.admit(tenant, "run", 10_000, 5_000, 100);
        budgets.reserve(tenant, "run", "run.s1.t0", 1_200);

        budgets.settleModelCall(tenant, "run", "run.s1.t0", "gpt-4o-mini", 300, 45);
        budgets.settleModelCall(tenant, "run", "run.s1.t0", "gpt-4o-mini", 300, 45);
        budgets.settleModelCall(tenant, "run", "run.s2.t0", "gpt-4o-mini", 100, 5);

        assertThat(budgets.run(tenant, "run").used()).isEqualTo(345);
        assertThat(redis.<String, String>opsForHash().entries(RedisKeys.modelUsagePerRun(tenant, "run")))
                .containsOnly(Map.entry("gpt-4o-mini:prompt", "400"), Map.entry("gpt-4o-mini:completion", "50"));
        assertThat(redis.<String, String>opsForHash().entries(RedisKeys.modelUsagePerDay(tenant, LocalDate.now(ZoneOffset.UTC))))
                .containsOnly(Map.entry("gpt-4o-mini:prompt", "400"), Map.entry("gpt-4o-mini:completion", "50"));
    }
}
