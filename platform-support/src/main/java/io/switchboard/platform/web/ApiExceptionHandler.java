package io.switchboard.platform.web;

import io.switchboard.platform.OutageLog;
import io.switchboard.platform.Outages;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/** Every error of the API as {@code application/problem+json}, naming what was wrong. */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final OutageLog OUTAGES = new OutageLog(LoggerFactory.getLogger(ApiExceptionHandler.class), Duration.ofSeconds(10));

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        String reason = ex.getMostSpecificCause() instanceof JacksonException jackson
                ? jackson.getOriginalMessage() + locationOf(jackson)
                : "the body is missing or unreadable";
        return handleExceptionInternal(ex, Problems.problem(HttpStatus.BAD_REQUEST, "Malformed request body",
                "The request body is not valid JSON for this endpoint: " + reason), headers, status, request);
    }

    /**
     * A broker or the run store unreachable, slow or not serving yet (Redis loading its data, a
     * read-only replica, PostgreSQL starting): the client should come back shortly, not report a
     * bug, and the log says which one it was (a line every 10 s at most, counting the answers between).
     * Anything else is not answered here.
     */
    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Object> handleOutage(RuntimeException ex, WebRequest request) {
        if (!Outages.isOutage(ex)) {
            throw ex;
        }
        OUTAGES.warn("answered 503 to {}: {}", request.getDescription(false), NestedExceptionUtils.getMostSpecificCause(ex).toString());
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, "1");
        return handleExceptionInternal(ex, Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "Temporarily unavailable",
                "A broker or the run store did not answer in time. Retry the request."), headers,
                HttpStatus.SERVICE_UNAVAILABLE, request);
    }

    private static String locationOf(JacksonException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
