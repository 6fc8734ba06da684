package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisConnectionException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;

/** A poll's records by key, and the records of a key that belong together handed over together. */
class KeyedBatchesTest {

    private final List<String> observed = new CopyOnWriteArrayList<>();
    private final KeyedBatches batches = new KeyedBatches(registry());

    @Test
    void consecutiveRecordsOfAKeyInTheSameGroupAreHandedOverTogetherInTheirOrder() {
        List<ConsumerRecord<String, String>> poll = List.of(record(0, "a", "run-1"), record(1, "b", "run-9"),
                record(2, "a", "run-1"), record(3, "a", "run-2"), record(4, "a", "run-1"), record(5, "a", null));
        List<List<String>> handed = new CopyOnWriteArrayList<>();

        batches.handle("test", poll, ConsumerRecord::value, group -> handed.add(offsets(group)));

        assertThat(handed).containsExactlyInAnyOrder(List.of("0", "2"), List.of("3"), List.of("4"), List.of("5"), List.of("1"));
        assertThat(handed.stream().filter(group -> !group.equals(List.of("1"))).toList())
                .containsExactly(List.of("0", "2"), List.of("3"), List.of("4"), List.of("5"));
        assertThat(observed).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5");
    }

    @Test
    void aGroupThatFailsIsHandledAgainARecordAtATimeAndThePollFailsAtTheRecordThatDoes() {
        List<List<String>> handed = handedFailingAtOffset2(new IllegalStateException("refused"), 2);

        assertThat(handed).containsExactly(List.of("0"), List.of("1", "2", "3"), List.of("1"), List.of("2"));
    }

    @Test
    void aGroupThatMeetsAnOutageFailsAtItsFirstRecordWithoutHandlingEachAgain() {
        List<List<String>> handed = handedFailingAtOffset2(new RedisConnectionException("Unable to connect to 127.0.0.1:6379"), 1);

        assertThat(handed).containsExactly(List.of("0"), List.of("1", "2", "3"));
    }

    /**
     * Hands over a poll of three groups, the middle one offsets 1–3, where every group holding offset
     * 2 fails with {@code failure}; checks that the poll fails with it at {@code failsAt} and returns
     * the groups handed over, in order.
     */
    private List<List<String>> handedFailingAtOffset2(RuntimeException failure, int failsAt) {
        List<ConsumerRecord<String, String>> poll = List.of(record(0, "a", "run-1"), record(1, "a", "run-2"),
                record(2, "a", "run-2"), record(3, "a", "run-2"), record(4, "a", "run-3"));
        List<List<String>> handed = new ArrayList<>();

        assertThatThrownBy(() -> batches.handle("test", poll, ConsumerRecord::value, group -> {
            handed.add(offsets(group));
            if (offsets(group).contains("2")) {
                throw failure;
            }
        })).isInstanceOfSatisfying(BatchListenerFailedException.class, failed -> {
            assertThat(failed.getIndex()).isEqualTo(failsAt);
            assertThat(failed.getCause()).isSameAs(failure);
        });
        return handed;
    }

    private static ConsumerRecord<String, String> record(long offset, String key, String value) {
        return new ConsumerRecord<>("topic", 0, offset, key, value);
    }

    private static List<String> offsets(List<ConsumerRecord<String, String>> group) {
        return group.stream().map(record -> String.valueOf(record.offset())).toList();
    }

    private ObservationRegistry registry() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof KafkaRecordReceiverContext;
            }

            @Override
            public void onStop(Observation.Context context) {
                observed.add(String.valueOf(((KafkaRecordReceiverContext) context).getRecord().offset()));
            }
        });
        return registry;
    }
}
