package io.switchboard.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.util.unit.DataSize;

/** What becomes of a delivery, with the worker's collaborators replaced by fakes that record what was asked of them. */
class TaskExecutionTest {

    private static final ToolMetadata FETCH = new ToolMetadata("http.fetch", 1, "", 3, Duration.ofSeconds(5), false, 200);

    private final FakeToolCalls tools = new FakeToolCalls();
    private final FakeRouting routing = new FakeRouting();
    private final FakeLedger ledger = new FakeLedger();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TaskExecution execution = new TaskExecution(tools, routing, ledger, meters);
    private final ToolTask task = new ToolTask("run-1.s1.t0", "run-1", "conv-1", "research", 1, 0, 1, true,
            "http.fetch", Map.of("url", "http://docs/"), Priority.INTERACTIVE, false);

    @Test
    void aSuccessfulCallIsPublishedAndTheTaskFinished() {
        tools.answer = () -> Map.of("text", "hello");

        execution.handle(delivery(1));

        assertThat(ledger.published).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(outcome.output()).containsEntry("text", "hello");
            assertThat(outcome.cached()).isFalse();
        });
        assertThat(ledger.reserved).isEqualTo(200);
        assertThat(ledger.finished).containsExactly(task.taskId());
        assertThat(routing.actions).isEmpty();
        assertThat(executions("succeeded")).isEqualTo(1);
    }

    @Test
    void aFailureThatMayPassIsRetriedAsTheNextAttemptWithItsTokensGivenBackAndNothingPublished() {
        tools.answer = () -> {
            throw ToolFailure.transientFailure("GET http://docs/ answered 503", null);
        };

        execution.handle(delivery(2));

        assertThat(routing.actions).containsExactly("retry as attempt 3");
        assertThat(ledger.published).isEmpty();
        assertThat(ledger.released).isTrue();
        assertThat(ledger.finished).isEmpty();
        assertThat(executions("retried")).isEqualTo(1);
    }

    @Test
    void aFailureThatSaysWhenToRetryWaitsAtLeastThatLongAsTheNextAttempt() {
        tools.answer = () -> {
            throw ToolFailure.retryAfter("model provider 'default' answered 429: slow down", Duration.ofSeconds(2), null);
        };

        execution.handle(delivery(1));

        assertThat(routing.actions).containsExactly("retry as attempt 2 not before PT2S");
        assertThat(ledger.published).isEmpty();
        assertThat(ledger.released).isTrue();
        assertThat(executions("retried")).isEqualTo(1);
    }

    @Test
    void aFailureThatSaysWhenToRetryIsDeadLetteredLikeAnyOtherOnTheLastAttempt() {
        tools.answer = () -> {
            throw ToolFailure.retryAfter("model provider 'default' answered 429: slow down", Duration.ofSeconds(2), null);
        };

        execution.handle(delivery(3));

        assertThat(routing.actions).containsExactly("dead-letter after 3 attempts: model provider 'default' answered 429: slow down ("
                + ToolFailure.class.getName() + ")");
        assertThat(ledger.published).singleElement().extracting(ToolOutcome::status).isEqualTo(ToolStatus.FAILED);
    }

    @Test
    void aModelCallReservesItsMaxTokensAndTheEstimateOfItsPromptInsteadOfTheToolsFixedEstimate() {
        String question = "x".repeat(400);
        ToolTask modelCall = new ToolTask("run-1.s2.t0", "run-1", "conv-1", "assistant", 2, 0, 1, false, ToolTask.MODEL_CALL,
                Map.of("provider", "default", "messages", List.of(Map.of("role", "user", "content", question)), "maxTokens", 500),
                Priority.INTERACTIVE, true);

        execution.handle(delivery(modelCall, 1));

        assertThat(ledger.reserved).isEqualTo(500 + 100);
    }

    @Test
    void theLastAttemptsFailureIsDeadLetteredWithItsReasonAndTheRunIsToldOnce() {
        tools.answer = () -> {
            throw ToolFailure.transientFailure("GET http://docs/ answered 503", null);
        };

        execution.handle(delivery(3));

        assertThat(ledger.published).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(ToolStatus.FAILED);
            assertThat(outcome.error()).isEqualTo("GET http://docs/ answered 503");
            assertThat(outcome.attempts()).isEqualTo(3);
        });
        assertThat(routing.actions).containsExactly(
                "dead-letter after 3 attempts: GET http://docs/ answered 503 (" + ToolFailure.class.getName() + ")");
        assertThat(ledger.released).isTrue();
        assertThat(ledger.finished).containsExactly(task.taskId());
        assertThat(executions("failed")).isEqualTo(1);
    }

    @Test
    void aFailureThatCannotPassIsDeadLetteredOnTheFirstAttempt() {
        tools.answer = () -> {
            throw ToolFailure.permanent("host 'docs' is not allowed");
        };

        execution.handle(delivery(1));

        assertThat(routing.actions).singleElement().asString().startsWith("dead-letter after 1 attempts: host 'docs' is not allowed");
        assertThat(ledger.published).singleElement().extracting(ToolOutcome::status).isEqualTo(ToolStatus.FAILED);
        assertThat(ledger.finished).containsExactly(task.taskId());
    }

    @Test
    void aTaskOfARunThatEndedIsSkippedWithoutCallingTheToolOrTellingTheRun() {
        ledger.ended = Optional.of("run.cancelled");

        execution.handle(delivery(1));

        assertThat(tools.calls).isZero();
        assertThat(ledger.published).isEmpty();
        assertThat(ledger.reserved).isZero();
        assertThat(ledger.finished).isEmpty();
        assertThat(routing.actions).isEmpty();
        assertThat(executions("skipped")).isEqualTo(1);
    }

    @Test
    void aTaskWhoseRunEndedWhileItRanIsDroppedNeitherRetriedNorDeadLettered() {
        tools.answer = () -> {
            ledger.ended = Optional.of("run.cancelled");
            throw ToolFailure.permanent("run " + task.runId() + " ended while the model was answering");
        };

        execution.handle(delivery(1));

        assertThat(tools.calls).isOne();
        assertThat(ledger.released).isTrue();
        assertThat(ledger.published).isEmpty();
        assertThat(routing.actions).isEmpty();
        assertThat(executions("skipped")).isEqualTo(1);
    }

    @Test
    void aTaskToldToWaitPastTheLongestTierIsHeldUntilItIsDueWithoutCallingTheToolOrSpendingAnAttempt() {
        long due = System.currentTimeMillis() + 60_000;
        Message held = delivery(2);
        held.getMessageProperties().setHeader(TaskQueues.NOT_BEFORE_HEADER, due);

        execution.handle(held);

        assertThat(routing.actions).containsExactly("hold until " + due);
        assertThat(tools.calls).isZero();
        assertThat(ledger.reserved).isZero();
        assertThat(ledger.published).isEmpty();
        assertThat(executions("held")).isEqualTo(1);

        Message ready = delivery(2);
        ready.getMessageProperties().setHeader(TaskQueues.NOT_BEFORE_HEADER, System.currentTimeMillis() - 1);
        execution.handle(ready);
        assertThat(tools.calls).isOne();
    }

    @Test
    void aTaskFinishedBeforeIsNotRunAgain() {
        ledger.finished.add(task.taskId());

        execution.handle(delivery(1));

        assertThat(tools.calls).isZero();
        assertThat(ledger.published).isEmpty();
    }

    @Test
    void aTaskOverBudgetFailsWithTheReasonWithoutCallingTheToolOrDeadLettering() {
        ledger.overBudget = Optional.of("token budget exceeded: the run's budget has 10 of 15 tokens used and the task needs 200");

        execution.handle(delivery(1));

        assertThat(tools.calls).isZero();
        assertThat(ledger.published).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(ToolStatus.FAILED);
            assertThat(outcome.error()).startsWith("token budget exceeded");
        });
        assertThat(routing.actions).isEmpty();
        assertThat(ledger.finished).containsExactly(task.taskId());
        assertThat(executions("over_budget")).isEqualTo(1);
    }

    @Test
    void aCachedOutputIsServedWithoutCallingTheToolOrReservingTokens() {
        ledger.cached = Optional.of(Map.of("text", "from before"));

        execution.handle(delivery(1));

        assertThat(tools.calls).isZero();
        assertThat(ledger.reserved).isZero();
        assertThat(ledger.published).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(outcome.cached()).isTrue();
            assertThat(outcome.output()).containsEntry("text", "from before");
        });
        assertThat(ledger.finished).containsExactly(task.taskId());
        assertThat(executions("cached")).isEqualTo(1);
    }

    @Test
    void anOutageSendsTheTaskBackWithoutSpendingAnAttempt() {
        tools.answer = () -> {
            throw new QueryTimeoutException("Redis did not answer");
        };

        execution.handle(delivery(2));

        assertThat(routing.actions).containsExactly("retry later");
        assertThat(ledger.published).isEmpty();
        assertThat(ledger.finished).isEmpty();
        assertThat(executions("outage")).isEqualTo(1);
    }

    @Test
    void anUnreadableTaskIsDeadLetteredAtOnce() {
        Message message = delivery(1);
        Message unreadable = new Message("{\"step\": \"x\"".getBytes(), message.getMessageProperties());

        execution.handle(unreadable);

        assertThat(routing.actions).singleElement().asString().startsWith("dead-letter after 1 attempts: payload is not a valid");
        assertThat(tools.calls).isZero();
    }

    private double executions(String outcome) {
        return meters.find("switchboard.tool.executions").tags("tool", task.tool(), "outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private Message delivery(int attempt) {
        return delivery(task, attempt);
    }

    private static Message delivery(ToolTask task, int attempt) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(CloudEventHeaders.JSON);
        Envelope.origin(task.taskId(), "/test", ToolTask.class, "acme", "corr-1", task.runId()).toHeaders()
                .forEach(properties::setHeader);
        properties.setHeader(TaskQueues.ATTEMPT_HEADER, attempt);
        properties.setMessageId(task.taskId());
        return new Message(EventCodec.encode(task), properties);
    }

    private static final class FakeToolCalls extends ToolCalls {

        Supplier<Map<String, Object>> answer = Map::of;
        int calls;

        FakeToolCalls() {
            super(null, null, DataSize.ofMegabytes(2));
        }

        @Override
        ToolMetadata metadata(ToolTask task) {
            return FETCH;
        }

        @Override
        String cacheKey(String tenantId, ToolTask task, ToolMetadata metadata) {
            return null; // http.fetch is not deterministic
        }

        @Override
        Map<String, Object> call(String tenantId, ToolTask task, ToolMetadata metadata, int attempt) {
            calls++;
            return answer.get();
        }
    }

    private static final class FakeRouting extends TaskRouting {

        final List<String> actions = new ArrayList<>();

        FakeRouting() {
            super(null);
        }

        @Override
        void retry(Message task, int nextAttempt, Optional<Duration> notBefore) {
            actions.add("retry as attempt " + nextAttempt + notBefore.map(delay -> " not before " + delay).orElse(""));
        }

        @Override
        void retryLater(Message task) {
            actions.add("retry later");
        }

        @Override
        void holdUntil(Message task, long notBefore) {
            actions.add("hold until " + notBefore);
        }

        @Override
        void deadLetter(Message task, String reason, String exception, int attempts) {
            actions.add("dead-letter after " + attempts + " attempts: " + reason + " (" + exception + ")");
        }
    }

    private static final class FakeLedger extends TaskLedger {

        final Set<String> finished = new HashSet<>();
        final List<ToolOutcome> published = new ArrayList<>();
        Optional<String> ended = Optional.empty();
        Optional<String> overBudget = Optional.empty();
        Optional<Map<String, Object>> cached = Optional.empty();
        long reserved;
        boolean released;

        FakeLedger() {
            super(null, null, null, null, null, null, null, null);
        }

        @Override
        Start begin(String tenantId, ToolTask task, String cacheKey, long tokens) {
            if (finished.contains(task.taskId())) {
                return new Start.Finished();
            }
            if (ended.isPresent()) {
                return new Start.Ended(ended.get());
            }
            if (cached.isPresent()) {
                return new Start.Cached(cached.get());
            }
            if (overBudget.isPresent()) {
                return new Start.Refused(overBudget.get());
            }
            reserved += tokens;
            return new Start.Reserved();
        }

        @Override
        Optional<String> runEnded(String tenantId, ToolTask task) {
            return ended;
        }

        @Override
        void release(String tenantId, ToolTask task) {
            released = true;
        }

        @Override
        void publish(Envelope cause, ToolTask task, ToolOutcome outcome) {
            published.add(outcome);
        }

        @Override
        void finish(String tenantId, ToolTask task, String cacheKey, Map<String, Object> output) {
            finished.add(task.taskId());
        }

        @Override
        void skipped(String tenantId, ToolTask task) {
            // nothing waits in a fake
        }
    }
}
