package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BrokerCountersTest {

    private static final String TOPIC = "bench.counters";
    private static final String QUEUE = "bench.counters";
    private static final String KEY = "sb:bench:counters";

    @BeforeAll
    static void createTopic() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    @AfterAll
    static void deleteTopic() throws Exception {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(TOPIC)).all().get();
        }
    }

    @Test
    void theDifferenceOfTwoSnapshotsIsTheWorkDoneInBetween() throws Exception {
        BrokerCounters.Snapshot before = BrokerCounters.take();

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BrokerCounters.KAFKA,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "record " + i)).get();
            }
        }
        publishAndConsumeTenMessages();
        for (int i = 0; i < 10; i++) {
            BrokerCounters.redis("SET", KEY, "v" + i);
            memcached("set " + KEY + " 0 60 1\r\nv\r\n", "STORED");
        }
        BrokerCounters.redis("DEL", KEY);
        memcached("delete " + KEY + "\r\n", "DELETED");

        BrokerCounters.Snapshot work = BrokerCounters.take().minus(before);

        assertThat(work.kafkaEndOffsets()).containsEntry(TOPIC, 10L);
        assertThat(work.kafkaRecords()).isGreaterThanOrEqualTo(10);
        assertThat(work.rabbitPublished()).isGreaterThanOrEqualTo(10);
        assertThat(work.rabbitConfirmed()).isGreaterThanOrEqualTo(10);
        assertThat(work.rabbitDelivered()).isGreaterThanOrEqualTo(10);
        assertThat(work.rabbitAcknowledged()).isGreaterThanOrEqualTo(10);
        assertThat(work.redisCalls().get("set")).isGreaterThanOrEqualTo(10);
        assertThat(work.redisCommands()).isGreaterThanOrEqualTo(11);
        assertThat(work.memcachedStats().get("cmd_set")).isGreaterThanOrEqualTo(10);
        assertThat(work.memcachedCommands()).isGreaterThanOrEqualTo(11);
    }

    @Test
    void rabbitCountersAreSummedOverTheirLabels() {
        String metrics = """
                # TYPE rabbitmq_global_messages_received_total counter
                rabbitmq_global_messages_received_total{protocol="amqp091"} 60499
                rabbitmq_global_messages_received_confirm_total{protocol="amqp091"} 60499
                rabbitmq_global_messages_confirmed_total{protocol="amqp091"} 60399
                rabbitmq_global_messages_delivered_total{protocol="amqp091",queue_type="rabbit_classic_queue"} 60489
                rabbitmq_global_messages_delivered_total{protocol="amqp091",queue_type="rabbit_quorum_queue"} 10
                rabbitmq_global_messages_delivered_total{protocol="amqp091",queue_type="rabbit_stream_queue"} 0
                rabbitmq_global_messages_acknowledged_total{protocol="amqp091",queue_type="rabbit_classic_queue"} 60499
                """;

        assertThat(BrokerCounters.parsePrometheus(metrics)).isEqualTo(Map.of(
                "published", 60499L, "confirmed", 60399L, "delivered", 60499L, "acknowledged", 60499L));
    }

    @Test
    void redisCallsAreReadPerCommand() {
        String info = """
                # Commandstats\r
                cmdstat_evalsha:calls=2000,usec=20881,usec_per_call=10.44,rejected_calls=0,failed_calls=0\r
                cmdstat_client|setname:calls=3,usec=4,usec_per_call=1.33,rejected_calls=0,failed_calls=0\r
                cmdstat_get:calls=21,usec=30,usec_per_call=1.43,rejected_calls=0,failed_calls=0\r
                """;

        assertThat(BrokerCounters.parseCommandStats(info))
                .isEqualTo(Map.of("evalsha", 2000L, "client|setname", 3L, "get", 21L));
    }

    private static void publishAndConsumeTenMessages() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(QUEUE, false, true, true, null);
            channel.confirmSelect();
            for (int i = 0; i < 10; i++) {
                channel.basicPublish("", QUEUE, null, ("message " + i).getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            for (int i = 0; i < 10; i++) {
                GetResponse message = channel.basicGet(QUEUE, false);
                assertThat(message).isNotNull();
                channel.basicAck(message.getEnvelope().getDeliveryTag(), false);
            }
        }
    }

    private static void memcached(String command, String expected) throws IOException {
        try (Socket socket = new Socket(BrokerCounters.MEMCACHED_HOST, BrokerCounters.MEMCACHED_PORT)) {
            OutputStream out = socket.getOutputStream();
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(expected.length() + 2);
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo(expected + "\r\n");
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", BrokerCounters.KAFKA));
    }
}
