package io.switchboard.syncchain;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** RFC 9457 problem details, thrown by the controllers and written by Spring MVC as {@code application/problem+json}. */
final class Problems {

    private Problems() {
    }

    static ErrorResponseException of(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setType(URI.create("https://switchboard.dev/problems/" + status.value()));
        return new ErrorResponseException(status, problem, null);
    }
}
