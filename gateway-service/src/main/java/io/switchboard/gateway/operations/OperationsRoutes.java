package io.switchboard.gateway.operations;

import io.swagger.v3.oas.annotations.Hidden;
import io.switchboard.platform.web.CorrelationIdFilter;
import io.switchboard.platform.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Dead letters are kept by the operations service; clients still ask the gateway. A request to
 * {@code /v1/admin/dead-letters/**} or {@code /v1/dead-letters/**} goes there as it came (method,
 * path, query, body, key, correlation id) and its answer comes back as it was given (status,
 * content type, body, the headers a client acts on). The operations service checks the key again
 * itself. When it cannot be reached in time the client gets 503 with {@code Retry-After}.
 * <p>
 * Hidden from the OpenAPI document as a catch-all: {@code ApiDocumentation} lists the routes it serves.
 */
@Hidden
@RestController
class OperationsRoutes implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsRoutes.class);

    /** What a request carries that the operations service reads. */
    private static final List<String> REQUEST_HEADERS = List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE,
            HttpHeaders.ACCEPT);

    /** What an answer carries that a client acts on; the correlation id is the gateway's own. */
    private static final List<String> RESPONSE_HEADERS = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.RETRY_AFTER,
            HttpHeaders.WWW_AUTHENTICATE, HttpHeaders.LOCATION, HttpHeaders.CACHE_CONTROL);

    private final OperationsProperties properties;
    private final HttpClient http;

    OperationsRoutes(OperationsProperties properties) {
        this.properties = properties;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @RequestMapping({"/v1/admin/dead-letters/**", "/v1/dead-letters/**"})
    ResponseEntity<byte[]> route(HttpServletRequest request) throws IOException {
        HttpRequest.Builder routed = HttpRequest.newBuilder(target(request))
                .timeout(properties.timeout())
                .method(request.getMethod(), bodyOf(request));
        REQUEST_HEADERS.forEach(name -> {
            String value = request.getHeader(name);
            if (value != null) {
                routed.header(name, value);
            }
        });
        routed.header(CorrelationIdFilter.HEADER, (String) request.getAttribute(CorrelationIdFilter.ATTRIBUTE));
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(routed.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warn("operations service at {} did not answer {} {}", properties.url(), request.getMethod(),
                    request.getRequestURI(), e);
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
        HttpHeaders headers = new HttpHeaders();
        RESPONSE_HEADERS.forEach(name -> answer.headers().allValues(name).forEach(value -> headers.add(name, value)));
        return ResponseEntity.status(answer.statusCode()).headers(headers).body(answer.body());
    }

    /** The path as the client sent it (still encoded) and its query, on the operations service. */
    private URI target(HttpServletRequest request) {
        String query = request.getQueryString();
        return URI.create(properties.url().toString().replaceAll("/+$", "") + request.getRequestURI()
                + (query == null ? "" : "?" + query));
    }

    private static HttpRequest.BodyPublisher bodyOf(HttpServletRequest request) throws IOException {
        byte[] body = request.getInputStream().readAllBytes();
        return body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
    }

    private static ErrorResponseException unavailable() {
        ErrorResponseException problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Operations unavailable",
                "The operations service, which keeps the dead letters, did not answer in time. Retry the request.");
        problem.getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
        return problem;
    }

    @Override
    public void destroy() {
        http.close();
    }
}
