package io.switchboard.operations;

import io.switchboard.platform.web.ApiEdge;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/**
 * Admin work behind the public edge: dead letters today. Clients reach it through the gateway,
 * which routes its paths here; it checks their keys itself, so it is safe when reached directly.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import(ApiEdge.class)
public class OperationsApplication {

    public static void main(String[] args) {
        SpringApplication.run(OperationsApplication.class, args);
    }
}
