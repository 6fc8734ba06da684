package io.switchboard.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * How a service answers a request without a valid tenant key on paths whose clients expect another
 * error shape than problem details (the OpenAI-compatible door). The 401 status and the
 * {@code WWW-Authenticate} header are set before it is asked.
 */
public interface UnauthorizedAnswer {

    /** Writes the answer and returns true if this request's path is one it answers for. */
    boolean write(HttpServletRequest request, HttpServletResponse response) throws IOException;
}
