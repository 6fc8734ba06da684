package io.switchboard.syncchain;

import io.switchboard.syncchain.Messages.Composition;
import io.switchboard.syncchain.Messages.PlanRequest;
import io.switchboard.syncchain.Messages.RunRequest;
import io.switchboard.syncchain.Messages.RunResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The gateway role: {@code POST /v1/runs} checks the API key and the calculator's input, calls the
 * planner and waits for it, and answers with the finished run.
 */
@RestController
@ConditionalOnProperty(name = "chain.role", havingValue = "gateway")
class GatewayController {

    private static final String AGENT = "calculator";
    private static final int MAX_EXPRESSIONS = 20;

    private final byte[] authorization;
    private final NextHop planner;

    GatewayController(ChainProperties properties) {
        this.authorization = ("Bearer " + properties.apiKey()).getBytes(StandardCharsets.UTF_8);
        this.planner = new NextHop(properties.plannerUrl(), properties.callTimeout());
    }

    @PostMapping("/v1/runs")
    RunResponse run(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                    @RequestBody RunRequest request) {
        if (authorization == null
                || !MessageDigest.isEqual(this.authorization, authorization.getBytes(StandardCharsets.UTF_8))) {
            throw Problems.of(HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "The request needs a valid API key: Authorization: Bearer <key>.");
        }
        List<String> expressions = expressions(request);
        Instant createdAt = Instant.now();
        String runId = UUID.randomUUID().toString();
        Composition composition = planner.post("/plan", new PlanRequest(runId, request.agent(), expressions),
                Composition.class);
        return new RunResponse(runId, composition.status(), composition.result(), createdAt, Instant.now());
    }

    /** The calculator's input: 1 to 20 expressions, each a non-empty string. */
    private static List<String> expressions(RunRequest request) {
        if (!AGENT.equals(request.agent())) {
            throw invalid("agent must be '" + AGENT + "'");
        }
        Object value = request.input() == null ? null : request.input().get("expressions");
        if (!(value instanceof List<?> items) || items.isEmpty() || items.size() > MAX_EXPRESSIONS) {
            throw invalid("input.expressions must be an array of 1 to " + MAX_EXPRESSIONS + " expressions");
        }
        List<String> expressions = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String expression) || expression.isBlank()) {
                throw invalid("input.expressions[" + i + "] must be a non-empty string");
            }
            expressions.add(expression);
        }
        return expressions;
    }

    private static RuntimeException invalid(String detail) {
        return Problems.of(HttpStatus.BAD_REQUEST, "Invalid input", detail + ".");
    }
}
