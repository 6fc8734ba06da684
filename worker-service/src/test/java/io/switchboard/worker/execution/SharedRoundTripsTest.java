package io.switchboard.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;

/**
 * A round trip held open while other requests come: they go together in the next, and a failure
 * there fails each of them only as much as it fails by itself.
 */
class SharedRoundTripsTest {

    private final List<List<String>> roundTrips = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstMayReturn = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();

    @Test
    void theRequestsThatComeWhileARoundTripIsOutGoTogetherInTheNextEachWithItsOwnAnswer() throws Exception {
        SharedRoundTrips<String, String> shared = new SharedRoundTrips<>(holdingTheFirst(batch ->
                batch.stream().map(request -> request.toUpperCase(Locale.ROOT)).toList()));

        List<CompletableFuture<String>> answers = sendWhileTheFirstIsOut(shared, "a", "b", "c", "d");

        for (int i = 0; i < 4; i++) {
            assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(List.of("A", "B", "C", "D").get(i));
        }
        assertThat(roundTrips).hasSize(2);
        assertThat(roundTrips.get(0)).containsExactly("a");
        assertThat(roundTrips.get(1)).containsExactlyInAnyOrder("b", "c", "d");
    }

    @Test
    void aRoundTripThatFailsIsSentAgainARequestAtATimeSoOnlyTheRequestThatFailsByItselfFails() throws Exception {
        SharedRoundTrips<String, String> shared = new SharedRoundTrips<>(holdingTheFirst(batch -> {
            if (batch.contains("bad")) {
                throw new IllegalArgumentException("refused: bad");
            }
            return batch.stream().map(request -> request.toUpperCase(Locale.ROOT)).toList();
        }));

        List<CompletableFuture<String>> answers = sendWhileTheFirstIsOut(shared, "a", "b", "bad", "c");

        assertThat(answers.get(1).get(10, TimeUnit.SECONDS)).isEqualTo("B");
        assertThat(answers.get(3).get(10, TimeUnit.SECONDS)).isEqualTo("C");
        assertThatThrownBy(() -> answers.get(2).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("refused: bad");
        assertThat(roundTrips.subList(2, roundTrips.size())).containsExactlyInAnyOrder(List.of("b"), List.of("bad"), List.of("c"));
    }

    @Test
    void anOutageFailsEveryRequestOfItsRoundTripWithoutSendingThemAgain() {
        SharedRoundTrips<String, String> shared = new SharedRoundTrips<>(holdingTheFirst(batch -> {
            if (batch.size() > 1) {
                throw new QueryTimeoutException("Redis command timed out");
            }
            return batch;
        }));

        assertEveryRequestAfterTheFirstFailsWith(QueryTimeoutException.class, sendWhileTheFirstIsOut(shared, "a", "b", "c"));
        assertThat(roundTrips).hasSize(2);
    }

    @Test
    void anErrorFailsEveryRequestOfItsRoundTripAndLeavesNoneWaiting() {
        SharedRoundTrips<String, String> shared = new SharedRoundTrips<>(holdingTheFirst(batch -> {
            if (batch.size() > 1) {
                throw new OutOfMemoryError("no room for the reply");
            }
            return batch;
        }));

        assertEveryRequestAfterTheFirstFailsWith(OutOfMemoryError.class, sendWhileTheFirstIsOut(shared, "a", "b", "c"));
        assertThat(shared.send("d")).isEqualTo("d");
    }

    private static void assertEveryRequestAfterTheFirstFailsWith(Class<? extends Throwable> failure,
                                                                 List<CompletableFuture<String>> answers) {
        for (CompletableFuture<String> answer : answers.subList(1, answers.size())) {
            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(failure);
        }
    }

    /** Records each round trip; the first does not return until the others are waiting. */
    private Function<List<String>, List<String>> holdingTheFirst(Function<List<String>, List<String>> answer) {
        return batch -> {
            roundTrips.add(batch);
            if (roundTrips.size() == 1) {
                try {
                    firstMayReturn.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return answer.apply(batch);
        };
    }

    /**
     * Sends the first request, and the others once its round trip is out; lets that round trip
     * return only when every other sender is parked, its request queued.
     */
    private List<CompletableFuture<String>> sendWhileTheFirstIsOut(SharedRoundTrips<String, String> shared, String... requests) {
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < requests.length; i++) {
            answers.add(send(shared, requests[i]));
            if (i == 0) {
                await().atMost(Duration.ofSeconds(10)).until(() -> roundTrips.size() == 1);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> threads.subList(1, threads.size()).stream()
                .allMatch(thread -> thread.getState() == Thread.State.WAITING));
        firstMayReturn.countDown();
        return answers;
    }

    private CompletableFuture<String> send(SharedRoundTrips<String, String> shared, String request) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        threads.add(Thread.ofPlatform().start(() -> {
            try {
                answer.complete(shared.send(request));
            } catch (Throwable failure) {
                answer.completeExceptionally(failure);
            }
        }));
        return answer;
    }

}
