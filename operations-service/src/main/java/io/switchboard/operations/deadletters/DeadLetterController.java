package io.switchboard.operations.deadletters;

import io.switchboard.platform.web.Problems;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.KafkaException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Dead letters for operators (admin key only): list them, look at one, send one back. */
@RestController
@RequestMapping("/v1/admin/dead-letters")
class DeadLetterController {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterController.class);
    private static final int MAX_LIMIT = 1000;

    private final DeadLetters deadLetters;
    private final Redrive redrive;

    DeadLetterController(DeadLetters deadLetters, Redrive redrive) {
        this.deadLetters = deadLetters;
        this.redrive = redrive;
    }

    @GetMapping
    Listing list(@RequestParam(required = false) String source, @RequestParam(defaultValue = "100") int limit) {
        if (source != null && !source.equals(DeadLetter.KAFKA) && !source.equals(DeadLetter.RABBITMQ)) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "Invalid source", "source must be 'kafka' or 'rabbitmq'.");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "Invalid limit", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        long total = deadLetters.total();
        return new Listing(total, deadLetters.newest(source, limit).stream().map(Item::of).toList());
    }

    @GetMapping("/{id}")
    Item get(@PathVariable String id) {
        return Item.of(deadLetters.find(id).orElseThrow(() -> notFound(id)));
    }

    @PostMapping("/{id}/redrive")
    ResponseEntity<Redriven> redrive(@PathVariable String id) {
        DeadLetter letter = deadLetters.find(id).orElseThrow(() -> notFound(id));
        try {
            return ResponseEntity.accepted().body(new Redriven(id, redrive.redrive(letter)));
        } catch (KafkaException | AmqpException e) {
            LOG.warn("dead letter {} not redriven: {} did not take it", id, letter.origin(), e);
            throw Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Dead letter not redriven",
                    "The broker did not take it back in time; the dead letter is kept. Retry the request.");
        }
    }

    static ErrorResponseException notFound(String id) {
        return Problems.of(HttpStatus.NOT_FOUND, "Dead letter not found", "There is no dead letter '" + id + "'.");
    }

    record Listing(long total, List<Item> items) {
    }

    record Redriven(String id, String redrivenTo) {
    }

    /**
     * A dead letter as the API shows it. The payload is text when it is UTF-8, otherwise base64
     * with {@code payloadBase64} set.
     */
    record Item(String id, String source, String origin, String reason, String exception, int attempts, String tenant,
                String runId, Instant deadLetteredAt, String payload, boolean payloadBase64) {

        static Item of(DeadLetter letter) {
            String text = utf8(letter.payload());
            boolean base64 = text == null && letter.payload() != null;
            return new Item(letter.id(), letter.source(), letter.origin(), letter.reason(), letter.exception(),
                    letter.attempts(), letter.tenant(), letter.runId(), letter.deadLetteredAt(),
                    base64 ? Base64.getEncoder().encodeToString(letter.payload()) : text, base64);
        }

        private static String utf8(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }
}
