package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service stopped (SIGTERM) while it loads the model or embeds stops as a JVM does on SIGTERM
 * (status 143), not with a crash inside ONNX Runtime, whose own shutdown hook releases its
 * environment. A stop during the load crashed the JVM about one time in four (SIGSEGV in
 * {@code OrtSession.createSession}); so each JVM here loads the model again and again, or embeds
 * without a pause, when it is stopped.
 */
class EmbeddingsShutdownTest {

    private static final List<String> BATCH = Collections.nCopies(8, "How does Kafka keep the events of a partition in order?");

    /** The JVM stopped: {@code loading} loads the model over and over (an instance each time), {@code embedding} embeds with one. */
    public static void main(String[] args) throws InterruptedException {
        Embeddings embeddings = new Embeddings();
        embeddings.embedAll(BATCH);
        Thread.ofPlatform().name(args[0]).start(() -> {
            for (Embeddings current = embeddings; ; current = args[0].equals("loading") ? new Embeddings() : current) {
                current.embedAll(BATCH);
            }
        });
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void aJvmStoppedWhileItLoadsTheModelOrEmbedsStopsWithoutCrashing(@TempDir Path work) throws Exception {
        Path errors = Files.createDirectory(work.resolve("errors"));
        int stop = 0;
        for (String doing : List.of("loading", "embedding")) {
            for (long after : List.of(150, 400, 650, 900, 1150, 1400)) {
                Path output = work.resolve("jvm-" + ++stop + ".log");
                Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:ErrorFile=" + errors.resolve("hs_err_%p.log"), "-cp", System.getProperty("java.class.path"),
                        EmbeddingsShutdownTest.class.getName(), doing).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> !jvm.isAlive() || Files.readString(output).contains("ready\n"));
                    assertThat(jvm.isAlive()).as("ready; output:%n%s", Files.readString(output)).isTrue();
                    Thread.sleep(after);
                    jvm.destroy(); // SIGTERM
                    assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
                } finally {
                    jvm.destroyForcibly();
                }
                try (Stream<Path> crashes = Files.list(errors)) {
                    assertThat(crashes).as("crash reports, stopped %d ms into %s; output:%n%s", after, doing, Files.readString(output))
                            .isEmpty();
                }
                assertThat(jvm.exitValue()).as("status, stopped %d ms into %s; output:%n%s", after, doing, Files.readString(output))
                        .isEqualTo(143);
            }
        }
    }
}
