package io.switchboard.platform.web;

import io.switchboard.platform.PlatformProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every {@code /v1/admin} request carries an admin key ({@code Authorization: Bearer <key>}); a
 * tenant's key is not one. The path is judged as the handlers see it (decoded, without path
 * parameters), so an encoded {@code admin} does not slip past.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AdminAuthenticationFilter extends OncePerRequestFilter {

    private static final String PATH = "/v1/admin/";

    private final Set<String> keyHashes;
    private final Problems problems;

    AdminAuthenticationFilter(PlatformProperties properties, Problems problems) {
        this.keyHashes = properties.admin().apiKeySha256().stream()
                .map(hash -> hash.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.problems = problems;
    }

    /** Whether the request is for {@code /v1/admin/**}. */
    public static boolean covers(HttpServletRequest request) {
        return RequestPaths.of(request).startsWith(PATH);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !covers(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean admin = ApiKeys.bearer(request).map(ApiKeys::sha256).filter(keyHashes::contains).isPresent();
        if (!admin) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard-admin\"");
            problems.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                    "Send a valid admin key as 'Authorization: Bearer <key>'; tenant keys do not open /v1/admin.");
            return;
        }
        chain.doFilter(request, response);
    }
}
