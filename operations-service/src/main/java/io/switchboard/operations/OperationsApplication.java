package io.switchboard.operations;

import io.switchboard.platform.web.ApiEdge;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Admin work behind the public edge: dead letters, the replay drill, and the consumer lag of every group. Clients reach it through the gateway,
 * which routes its paths here; it checks their keys itself, so it is safe when reached directly.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import(ApiEdge.class)
public class OperationsApplication {

    public static void main(String[] args) {
        SpringApplication.run(OperationsApplication.class, args);
    }
}
