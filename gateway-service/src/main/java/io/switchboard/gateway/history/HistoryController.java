package io.switchboard.gateway.history;

import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.store.RunSearch;
import io.switchboard.store.RunStore;
import io.switchboard.store.StoredRun;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's past, from the run store: its runs listed and filtered, a conversation's runs and
 * messages, a search over what runs were asked and answered, and the erasure of a conversation.
 */
@RestController
class HistoryController {

    private static final Set<String> STATUSES = Set.of("accepted", "running", "succeeded", "failed", "cancelled");
    private static final int MAX_LIMIT = 100;

    private final RunStore store;
    private final RunSearch search;
    private final ConversationErasure erasure;

    HistoryController(RunStore store, RunSearch search, ConversationErasure erasure) {
        this.store = store;
        this.search = search;
        this.erasure = erasure;
    }

    @GetMapping("/v1/runs")
    RunStore.Page list(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                       @RequestParam(required = false) String agent,
                       @RequestParam(required = false) String status,
                       @RequestParam(required = false) String conversationId,
                       @RequestParam(required = false) String createdAfter,
                       @RequestParam(required = false) String createdBefore,
                       @RequestParam(required = false) String limit,
                       @RequestParam(required = false) String cursor) {
        if (status != null && !STATUSES.contains(status)) {
            throw badQuery("status", "must be one of " + String.join(", ", new java.util.TreeSet<>(STATUSES)));
        }
        RunStore.Filter filter = new RunStore.Filter(agent, status, conversationId, instant("createdAfter", createdAfter),
                instant("createdBefore", createdBefore));
        try {
            return store.list(tenantId, filter, cursor, limit("limit", limit, 20));
        } catch (IllegalArgumentException e) {
            throw badQuery("cursor", "must be the nextCursor of an earlier page");
        }
    }

    /** A conversation's runs and its messages, oldest first. */
    @GetMapping("/v1/conversations/{conversationId}")
    Conversation conversation(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                              @PathVariable String conversationId) {
        List<StoredRun> runs = store.conversation(tenantId, conversationId);
        if (runs.isEmpty()) {
            throw conversationNotFound(conversationId);
        }
        List<Message> messages = new ArrayList<>();
        for (StoredRun run : runs) {
            messages.add(new Message("user", run.runId(), text(run.input(), "message")));
            if (run.output() != null) {
                messages.add(new Message("assistant", run.runId(), text(run.output(), "answer")));
            }
        }
        return new Conversation(conversationId, runs, messages);
    }

    /** Removes a conversation everywhere it is kept; says what was removed. */
    @DeleteMapping("/v1/conversations/{conversationId}")
    ConversationErasure.Erased erase(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                                     @PathVariable String conversationId) {
        ConversationErasure.Erased erased = erasure.erase(tenantId, conversationId);
        if (erased.runs().isEmpty() && erased.redisKeys() == 0) {
            throw conversationNotFound(conversationId);
        }
        return erased;
    }

    @GetMapping("/v1/search")
    SearchResults search(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                         @RequestParam(required = false) String q,
                         @RequestParam(required = false) String limit) {
        if (q == null || q.isBlank() || q.length() > 500) {
            throw badQuery("q", "is required, at most 500 characters");
        }
        return new SearchResults(search.search(tenantId, q, limit("limit", limit, 10), null));
    }

    record Conversation(String conversationId, List<StoredRun> runs, List<Message> messages) {
    }

    /** One message of a conversation: the run's input ({@code user}) or its answer ({@code assistant}). */
    record Message(String role, String runId, Object content) {
    }

    record SearchResults(List<RunSearch.Hit> items) {
    }

    /** The field a model agent's input or output has ({@code message}, {@code answer}), else the whole object. */
    private static Object text(Map<String, Object> json, String field) {
        return json != null && json.get(field) instanceof String text ? text : json;
    }

    private static int limit(String name, String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badQuery(name, "must be a number from 1 to " + MAX_LIMIT);
    }

    private static Instant instant(String name, String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw badQuery(name, "must be an instant such as 2026-12-01T10:00:00Z");
        }
    }

    private static RuntimeException badQuery(String parameter, String message) {
        return Problems.of(HttpStatus.BAD_REQUEST, "Invalid query", parameter + " " + message + ".");
    }

    private static RuntimeException conversationNotFound(String conversationId) {
        return Problems.of(HttpStatus.NOT_FOUND, "Conversation not found", "There is no conversation '" + conversationId + "'.");
    }
}
