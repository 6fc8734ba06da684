package io.switchboard.platform.web;

import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.StartupChecks;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * What a service that answers API clients shares with the others that do, imported by each
 * ({@code @Import(ApiEdge.class)}): the correlation id, API-key authentication of tenants on
 * {@code /v1} and of operators on {@code /v1/admin}, and errors as problem details. One copy, so
 * a key, a refusal and a problem look the same whichever service answers. Such a service refuses
 * to start without tenants or admin keys, or with the development keys where others could use them
 * ({@link StartupChecks#edge}).
 */
@Configuration(proxyBeanMethods = false)
@Import({Problems.class, CorrelationIdFilter.class, TenantDirectory.class, TenantAuthenticationFilter.class,
        AdminAuthenticationFilter.class, ApiExceptionHandler.class})
public class ApiEdge {

    @Bean
    InitializingBean apiKeysCheck(Environment environment, PlatformProperties properties) {
        return () -> StartupChecks.edge(environment, properties);
    }
}
