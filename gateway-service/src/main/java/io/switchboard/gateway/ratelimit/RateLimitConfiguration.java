package io.switchboard.gateway.ratelimit;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Run creation and reads are limited per tenant; tenant authentication has run before either. */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration implements WebMvcConfigurer {

    private final RunCreationRateLimit runCreation;
    private final ReadRateLimit reads;

    RateLimitConfiguration(RunCreationRateLimit runCreation, ReadRateLimit reads) {
        this.runCreation = runCreation;
        this.reads = reads;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(runCreation).addPathPatterns("/v1/runs", "/v1/chat/completions");
        registry.addInterceptor(reads).addPathPatterns("/v1/**").excludePathPatterns("/v1/admin/**");
    }
}
