package io.switchboard.operations.deadletters;

import io.switchboard.events.TaskQueues;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Takes every dead letter, from each {@code <topic>.dlt} and from the task dead-letter queue, as
 * raw bytes. Each is acknowledged when this returns, which is after it is archived.
 */
@Component
class DeadLetterListener {

    /** {@code Topics.ALL}, each as its dead-letter topic. */
    private static final String DEAD_LETTER_TOPICS =
            "#{T(io.switchboard.events.Topics).ALL.![T(io.switchboard.events.Topics).deadLetter(#this)]}";

    /**
     * The consumer group that has always read the dead-letter topics (they were first read at the
     * gateway): its committed offsets carry over, so a dead letter already archived, and perhaps
     * redriven since, is not archived again.
     */
    static final String GROUP = "gateway-dead-letters";

    private final DeadLetterIntake intake;

    DeadLetterListener(DeadLetterIntake intake) {
        this.intake = intake;
    }

    @KafkaListener(id = "operations-dead-letters", groupId = GROUP, topics = DEAD_LETTER_TOPICS,
            containerFactory = DeadLetterConfiguration.CONTAINER_FACTORY)
    void onRecord(ConsumerRecord<byte[], byte[]> record) {
        intake.kafka(record);
    }

    @RabbitListener(id = "operations-dead-tasks", queues = TaskQueues.DEAD_LETTER_QUEUE)
    void onTask(Message task) {
        intake.rabbit(task);
    }
}
