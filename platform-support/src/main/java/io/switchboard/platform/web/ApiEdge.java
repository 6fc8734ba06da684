package io.switchboard.platform.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * What a service that answers API clients shares with the others that do, imported by each
 * ({@code @Import(ApiEdge.class)}): the correlation id, API-key authentication of tenants on
 * {@code /v1} and of operators on {@code /v1/admin}, and errors as problem details. One copy, so
 * a key, a refusal and a problem look the same whichever service answers.
 */
@Configuration(proxyBeanMethods = false)
@Import({Problems.class, CorrelationIdFilter.class, TenantDirectory.class, TenantAuthenticationFilter.class,
        AdminAuthenticationFilter.class, ApiExceptionHandler.class})
public class ApiEdge {
}
