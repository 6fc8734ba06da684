package io.switchboard.syncchain;

import java.net.SocketTimeoutException;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * A blocking JSON call to the next role of the chain, made on the caller's thread. A call that
 * fails becomes the problem the caller answers with: 504 when the next role did not accept the
 * connection (2 s) or answer ({@code chain.call-timeout}) in time, 503 when it cannot be reached,
 * 502 when it answered with an error (its own 503 or 504 passed on) or with a body it cannot read.
 */
final class NextHop {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final String baseUrl;
    private final Duration readTimeout;
    private final RestClient client;

    NextHop(String baseUrl, Duration readTimeout) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(CONNECT_TIMEOUT);
        requests.setReadTimeout(readTimeout);
        this.baseUrl = baseUrl;
        this.readTimeout = readTimeout;
        this.client = RestClient.builder().baseUrl(baseUrl).requestFactory(requests).build();
    }

    <T> T post(String path, Object body, Class<T> answer) {
        try {
            return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).body(body).retrieve().body(answer);
        } catch (RestClientResponseException e) {
            int status = e.getStatusCode().value();
            throw failure(status == 503 || status == 504 ? HttpStatus.valueOf(status) : HttpStatus.BAD_GATEWAY,
                    baseUrl + path + " answered " + status + detailOf(e));
        } catch (RestClientException e) {
            Throwable cause = e.getMostSpecificCause();
            if (cause instanceof SocketTimeoutException) {
                throw failure(HttpStatus.GATEWAY_TIMEOUT, baseUrl + path + " did not answer in time ("
                        + cause.getMessage() + "; read timeout " + readTimeout + ")");
            }
            if (e instanceof ResourceAccessException) {
                throw failure(HttpStatus.SERVICE_UNAVAILABLE, baseUrl + path + " cannot be reached: " + cause);
            }
            throw failure(HttpStatus.BAD_GATEWAY, baseUrl + path + " gave an answer that cannot be read: " + cause);
        }
    }

    /** The detail of the next role's own problem, so the first failure of the chain is the one reported. */
    private static String detailOf(RestClientResponseException e) {
        try {
            ProblemDetail problem = e.getResponseBodyAs(ProblemDetail.class);
            return problem == null || problem.getDetail() == null ? "" : ": " + problem.getDetail();
        } catch (RuntimeException unreadable) {
            return "";
        }
    }

    private static ErrorResponseException failure(HttpStatus status, String detail) {
        return Problems.of(status, status.getReasonPhrase(), detail);
    }
}
