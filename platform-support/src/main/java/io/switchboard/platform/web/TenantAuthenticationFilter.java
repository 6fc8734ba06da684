package io.switchboard.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every {@code /v1} request names its tenant by its API key ({@code Authorization: Bearer <key>})
 * and by nothing else. The tenant id is then a request attribute that handlers take with
 * {@code @RequestAttribute(TenantAuthenticationFilter.TENANT)}. {@code /v1/admin} is not a
 * tenant's: {@link AdminAuthenticationFilter} guards it. A request without a valid key gets 401 as
 * problem details, or as an {@link UnauthorizedAnswer} of the service writes it for its path.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class TenantAuthenticationFilter extends OncePerRequestFilter {

    public static final String TENANT = "switchboard.tenant";

    private final TenantDirectory directory;
    private final Problems problems;
    private final ObjectProvider<UnauthorizedAnswer> answers;

    TenantAuthenticationFilter(TenantDirectory directory, Problems problems, ObjectProvider<UnauthorizedAnswer> answers) {
        this.directory = directory;
        this.problems = problems;
        this.answers = answers;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !RequestPaths.of(request).startsWith("/v1/") || AdminAuthenticationFilter.covers(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> tenant = ApiKeys.bearer(request).flatMap(directory::tenantOf);
        if (tenant.isEmpty()) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\"");
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            for (UnauthorizedAnswer answer : answers.orderedStream().toList()) {
                if (answer.write(request, response)) {
                    return;
                }
            }
            problems.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "Send a valid API key as 'Authorization: Bearer <key>'.");
            return;
        }
        request.setAttribute(TENANT, tenant.get());
        chain.doFilter(request, response);
    }
}
