package io.switchboard.gateway.ratelimit;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The rate limit applies to run creation only; tenant authentication has run before it. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration implements WebMvcConfigurer {

    private final RunCreationRateLimit runCreation;

    RateLimitConfiguration(RunCreationRateLimit runCreation) {
        this.runCreation = runCreation;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(runCreation).addPathPatterns("/v1/runs", "/v1/chat/completions");
    }
}
