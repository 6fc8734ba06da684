package io.switchboard.platform;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.micrometer.KafkaListenerObservation;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * A poll's records handled as one unit: the records of one key (a conversation) one after another
 * in their order, different keys at the same time on virtual threads, so a consumer waits for
 * Redis, RabbitMQ and Kafka once per poll rather than once per record. Each record is handled
 * inside a listener observation of its own, so its run's trace continues from its headers.
 *
 * <p>When records fail, the poll fails at the earliest of them: the offsets before it are
 * committed and the error handler decides about that record (tried again, waited out during an
 * outage, or dead-lettered with the reason; an unreadable record at once). The records after it
 * are delivered again, and their consumers' de-duplication recognises those they had finished.
 */
public class KeyedBatches {

    /**
     * The consumers of a background lane ({@link io.switchboard.events.Topics#lane}), as a listener's
     * {@code concurrency}: fewer than an interactive lane's, each with a smaller poll
     * ({@link #BACKGROUND_POLL}), so background work holds little of the brokers' and the service's
     * attention at a time when interactive work arrives.
     */
    public static final String BACKGROUND_CONSUMERS = "${switchboard.kafka.background.concurrency:1}";
    /** A background lane's poll, as a listener's {@code properties}. */
    public static final String BACKGROUND_POLL = "max.poll.records=${switchboard.kafka.background.max-poll-records:10}";

    private static final LogAccessor LOG = new LogAccessor(KeyedBatches.class);

    private final ObservationRegistry observations;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    KeyedBatches(ObservationRegistry observations) {
        this.observations = observations;
    }

    public <V> void handle(String listenerId, List<ConsumerRecord<String, V>> records, Consumer<ConsumerRecord<String, V>> handler) {
        handle(listenerId, records, record -> null, group -> handler.accept(group.getFirst()));
    }

    /**
     * As {@link #handle(String, List, Consumer)}, with the consecutive records of a key that {@code
     * group} gives the same non-null value handed over together, so that their handler can take them
     * in one round trip. Each record still has its observation. A group that fails is handled again
     * a record at a time, so the poll fails at the record that does: the handler must be idempotent.
     * A group that fails for an outage ({@link Outages}) fails at its first record at once: each of
     * its records would only wait out the same outage again before the error handler could wait it
     * out once.
     */
    public <V> void handle(String listenerId, List<ConsumerRecord<String, V>> records, Function<ConsumerRecord<String, V>, Object> group,
                           Consumer<List<ConsumerRecord<String, V>>> handler) {
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            byKey.computeIfAbsent(String.valueOf(records.get(i).key()), key -> new ArrayList<>()).add(i);
        }
        RuntimeException[] failures = new RuntimeException[records.size()];
        List<Runnable> keys = byKey.values().stream().<Runnable>map(positions -> () -> {
            for (int from = 0; from < positions.size(); ) {
                int to = groupEnd(records, positions, from, group);
                if (!handled(listenerId, records, positions.subList(from, to), handler, failures)) {
                    return; // the key's later records wait for the one that failed
                }
                from = to;
            }
        }).toList();
        if (keys.size() == 1) {
            keys.getFirst().run();
        } else {
            keys.stream().map(threads::submit).toList().forEach(KeyedBatches::await);
        }
        for (int i = 0; i < failures.length; i++) {
            if (failures[i] != null) {
                throw new BatchListenerFailedException(failures[i].getMessage(), failures[i], i);
            }
        }
    }

    /** Where the group that starts at a key's {@code from}th record ends (exclusive); an unreadable record is alone. */
    private static <V> int groupEnd(List<ConsumerRecord<String, V>> records, List<Integer> positions, int from,
                                    Function<ConsumerRecord<String, V>, Object> group) {
        ConsumerRecord<String, V> first = records.get(positions.get(from));
        Object value = first.value() == null ? null : group.apply(first);
        int to = from + 1;
        while (value != null && to < positions.size() && records.get(positions.get(to)).value() != null
                && value.equals(group.apply(records.get(positions.get(to))))) {
            to++;
        }
        return to;
    }

    /**
     * Handles a group; if it fails otherwise than for an outage, its records again one at a time, so
     * that the failure is that of the record that fails. False if one did.
     */
    private <V> boolean handled(String listenerId, List<ConsumerRecord<String, V>> records, List<Integer> group,
                                Consumer<List<ConsumerRecord<String, V>>> handler, RuntimeException[] failures) {
        try {
            handleGroup(listenerId, group.stream().map(records::get).toList(), handler);
            return true;
        } catch (RuntimeException failure) {
            if (group.size() == 1 || Outages.isOutage(failure)) {
                failures[group.getFirst()] = failure;
                return false;
            }
            return group.stream().allMatch(position -> handled(listenerId, records, List.of(position), handler, failures));
        }
    }

    /** The group's handler inside the first record's observation; the others' observations time it too. */
    private <V> void handleGroup(String listenerId, List<ConsumerRecord<String, V>> group,
                                 Consumer<List<ConsumerRecord<String, V>>> handler) {
        DeserializationException unreadable = SerializationUtils.getExceptionFromHeader(group.getFirst(),
                SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, LOG);
        if (unreadable != null) {
            throw unreadable;
        }
        List<Observation> observed = group.stream().map(record -> KafkaListenerObservation.LISTENER_OBSERVATION.observation(null,
                KafkaListenerObservation.DefaultKafkaListenerObservationConvention.INSTANCE,
                () -> new KafkaRecordReceiverContext(record, listenerId, () -> null), observations).start()).toList();
        try (Observation.Scope scope = observed.getFirst().openScope()) {
            handler.accept(group);
        } catch (RuntimeException failure) {
            observed.forEach(observation -> observation.error(failure));
            throw failure;
        } finally {
            observed.forEach(Observation::stop);
        }
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the poll's records were handled", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a record's handler failed outside its own handling", e.getCause());
        }
    }
}
