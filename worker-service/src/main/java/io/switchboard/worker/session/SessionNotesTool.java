package io.switchboard.worker.session;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.tools.builtin.Words;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * {@code session.notes}: remembers a fact in the conversation's session state, or recalls the
 * facts that share a word with the query. Writes hold the session's lease. It lives beside the
 * worker's session store, which it needs, and is a {@link Tool} bean like any other.
 */
@Component
class SessionNotesTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("session.notes", 1,
            "Remembers or recalls facts of a conversation.", 3, Duration.ofSeconds(10), false, 50);

    private final SessionStore sessions;

    SessionNotesTool(SessionStore sessions) {
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return METADATA.name();
    }

    @Override
    public Map<String, Object> parameters() {
        return Tool.stringArguments(Map.of(), Map.of("remember", "A fact to keep in this conversation",
                "recall", "Words to look for among the facts kept in this conversation"));
    }

    @Override
    public ToolMetadata metadata() {
        return METADATA;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        Map<String, Object> output = new LinkedHashMap<>();
        String fact = call.text("remember");
        if (fact != null) {
            SessionStore.Lease lease = sessions.lock(call.tenantId(), call.conversationId())
                    .orElseThrow(() -> ToolFailure.transientFailure("the conversation is busy; its session lock is held", null));
            try {
                if (!sessions.append(lease, fact)) {
                    throw ToolFailure.transientFailure("the session lease expired before the fact was written", null);
                }
            } finally {
                sessions.release(lease);
            }
            output.put("remembered", fact);
        }
        String query = call.text("recall");
        if (query != null) {
            Set<String> words = Words.of(query);
            List<String> facts = sessions.facts(call.tenantId(), call.conversationId()).stream()
                    .filter(candidate -> Words.of(candidate).stream().anyMatch(words::contains)
                            || candidate.toLowerCase(Locale.ROOT).contains(query.toLowerCase(Locale.ROOT)))
                    .toList();
            output.put("recall", query);
            output.put("facts", facts);
        }
        if (output.isEmpty()) {
            throw ToolFailure.permanent("session.notes needs 'remember' or 'recall'");
        }
        return output;
    }
}
