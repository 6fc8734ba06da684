package io.switchboard.gateway.openai;

import io.switchboard.events.EventCodec;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.platform.OutageLog;
import io.switchboard.platform.Outages;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.RequestPaths;
import io.switchboard.platform.web.UnauthorizedAnswer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The OpenAI-compatible door's errors in OpenAI's shape, {@code {"error": {"message", "type",
 * "param", "code"}}}, with the status and headers ({@code Retry-After}) the platform gives them. A
 * run that ends without an answer is a 422 ({@code run_failed}), not a 5xx, so that an SDK does not
 * retry it into more runs.
 */
@RestControllerAdvice(assignableTypes = ChatCompletionsController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrors implements UnauthorizedAnswer {

    private static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/models");
    private static final OutageLog OUTAGES = new OutageLog(LoggerFactory.getLogger(OpenAiErrors.class), Duration.ofSeconds(10));

    /** A missing or unknown key on the door's paths, as OpenAI answers it. */
    @Override
    public boolean write(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!PATHS.contains(RequestPaths.of(request))) {
            return false;
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        EventCodec.mapper().writeValue(response.getOutputStream(), body("Send a valid API key as 'Authorization: Bearer <key>'.",
                "authentication_error", null, "invalid_api_key"));
        return true;
    }

    /** A request the door cannot take: 400, naming the parameter. */
    static ErrorResponseException invalid(String param, String code, String message) {
        ErrorResponseException error = Problems.of(HttpStatus.BAD_REQUEST, "Invalid request", message);
        error.getBody().setProperty("param", param);
        error.getBody().setProperty("code", code);
        return error;
    }

    static ErrorResponseException runFailed(String runId, RunEnded ended) {
        ErrorResponseException error = Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "Run failed", message(runId, ended));
        error.getBody().setProperty("code", "run_failed");
        error.getBody().setProperty("errorType", "run_failed");
        return error;
    }

    /** The error event of a stream whose run ended without an answer. */
    static Map<String, Object> runFailedBody(String runId, RunEnded ended) {
        return body(message(runId, ended), "run_failed", null, "run_failed");
    }

    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<Map<String, Object>> refused(ErrorResponseException refusal) {
        ProblemDetail problem = refusal.getBody();
        Map<String, Object> properties = problem.getProperties() == null ? Map.of() : problem.getProperties();
        String detail = problem.getDetail() != null ? problem.getDetail() : problem.getTitle();
        Object type = properties.getOrDefault("errorType", type(refusal.getStatusCode()));
        Object code = properties.containsKey("code") ? properties.get("code") : code(refusal.getStatusCode(), properties);
        return ResponseEntity.status(refusal.getStatusCode()).headers(refusal.getHeaders())
                .body(body(detail, type, properties.get("param"), code));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException unreadable) {
        return ResponseEntity.badRequest().body(body("The request body is not valid JSON.", "invalid_request_error", null, null));
    }

    /** A broker or the run store unreachable, slow or not serving yet: come back shortly (logged as the API's outages are). */
    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Map<String, Object>> outage(RuntimeException failure, HttpServletRequest request) {
        if (!Outages.isOutage(failure)) {
            throw failure;
        }
        OUTAGES.warn("answered 503 to uri={}: {}", request.getRequestURI(), NestedExceptionUtils.getMostSpecificCause(failure).toString());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1")
                .body(body("A broker or the run store did not answer in time. Retry the request.", "server_error", null, "unavailable"));
    }

    private static String message(String runId, RunEnded ended) {
        return "Run " + runId + " ended " + ended.status().name().toLowerCase() + " without an answer: " + ended.error();
    }

    private static String type(HttpStatusCode status) {
        return switch (status.value()) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status.is5xxServerError() ? "server_error" : "invalid_request_error";
        };
    }

    private static String code(HttpStatusCode status, Map<String, Object> properties) {
        return switch (status.value()) {
            case 404 -> "model_not_found";
            case 429 -> properties.containsKey("budget") ? "insufficient_quota" : "rate_limit_exceeded";
            default -> null;
        };
    }

    private static Map<String, Object> body(String message, Object type, Object param, Object code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
