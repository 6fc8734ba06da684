package io.switchboard.platform.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/** RFC 9457 problem details, for handlers (as exceptions) and for filters (written directly). */
@Component
public class Problems {

    private final JsonMapper json;

    Problems(JsonMapper json) {
        this.json = json;
    }

    public static ErrorResponseException of(HttpStatus status, String title, String detail) {
        return new ErrorResponseException(status, problem(status, title, detail), null);
    }

    /** The same answer for a run that does not exist and for another tenant's run. */
    public static ErrorResponseException runNotFound(String runId) {
        return of(HttpStatus.NOT_FOUND, "Run not found", "There is no run '" + runId + "'.");
    }

    /** 422, naming each fault of the request in {@code errors} and in the detail. */
    public static ErrorResponseException invalid(String title, List<FieldError> errors) {
        ProblemDetail problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, title,
                String.join("; ", errors.stream().map(error -> error.field() + " " + error.message()).toList()));
        problem.setProperty("errors", errors);
        return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, problem, null);
    }

    /** One fault of a request: the field, and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    public static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setType(URI.create("https://switchboard.dev/problems/" + status.value()));
        return problem;
    }

    public void write(HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem(status, title, detail));
    }
}
