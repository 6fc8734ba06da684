package io.switchboard.e2e;

import io.switchboard.bench.stack.Platform;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the tests run the services: from this checkout's jars, with a small footprint and quick
 * start-up, on ports apart from the standard ones (gateway 18080, planner 18081, worker 18082,
 * composer 18083, operations 18084, more workers from 18085, more gateways after those), so a stack started with
 * {@code ./switchboard up} can keep running. {@code -Dswitchboard.e2e.first-port=28080} moves them all,
 * for a machine where those ports are taken. {@code -Dswitchboard.e2e.jvm-options="-Xmx512m -XX:+UseZGC"}
 * replaces the services' JVM options. Logs go to {@code target/e2e/logs}.
 */
final class TestPlatform {

    static final int GATEWAY_PORT = Integer.getInteger("switchboard.e2e.first-port", 18080);
    private static final String JVM_OPTIONS = System.getProperty("switchboard.e2e.jvm-options",
            "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");

    private TestPlatform() {
    }

    static Platform create() {
        return Platform.create(Path.of(".."), Path.of("target", "e2e"), List.of(JVM_OPTIONS.trim().split("\\s+")));
    }

    /** Every service, one process each. */
    static Platform start() {
        return create().startServices(GATEWAY_PORT, List.of(), 1, 1);
    }
}
