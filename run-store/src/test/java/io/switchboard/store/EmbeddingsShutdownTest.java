package io.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service stopped (SIGTERM) while it loads the model or embeds stops as a JVM does on SIGTERM
 * (status 143), not with a crash inside ONNX Runtime, whose own shutdown hook releases its
 * environment. The crash was in {@code OrtSession.createSession}: the stops that load come while
 * the model's file is written out whole and read by ONNX Runtime; the others while a thread embeds
 * without a pause.
 */
class EmbeddingsShutdownTest {

    private static final List<String> BATCH = Collections.nCopies(8, "How does Kafka keep the events of a partition in order?");

    /**
     * The JVM stopped: {@code loading} loads the model over and over (an instance each time),
     * {@code embedding} embeds with two instances at once, as the gateway and the composer do in one JVM.
     */
    public static void main(String[] args) throws InterruptedException {
        for (int thread = 0; thread < (args[0].equals("embedding") ? 2 : 1); thread++) {
            Embeddings embeddings = new Embeddings();
            if (args[0].equals("embedding")) {
                embeddings.embedAll(BATCH);
            }
            Thread.ofPlatform().name(args[0] + "-" + thread).start(() -> {
                for (Embeddings current = embeddings; ; current = args[0].equals("loading") ? new Embeddings() : current) {
                    current.embedAll(BATCH);
                }
            });
        }
        System.out.println("ready");
        // As in a service, only the signal ends the JVM. The signal's handler closes the model before it
        // hands the signal on to the JVM's, and the calls' threads end in between: had main returned
        // then, the JVM would have stopped with status 0 instead of 143.
        Thread.currentThread().join();
    }

    @Test
    void aJvmStoppedWhileItLoadsTheModelOrEmbedsStopsWithoutCrashing(@TempDir Path work) throws Exception {
        Path errors = Files.createDirectory(work.resolve("errors"));
        long modelBytes = AllMiniLmL6V2QuantizedEmbeddingModel.class.getResource("/all-minilm-l6-v2-q.onnx").openConnection()
                .getContentLengthLong();
        List<String> stops = new ArrayList<>(Collections.nCopies(20, "loading"));
        stops.addAll(List.of("embedding", "embedding"));
        for (int stop = 1; stop <= stops.size(); stop++) {
            String doing = stops.get(stop - 1);
            Path temp = Files.createDirectory(work.resolve("tmp-" + stop));
            Path output = work.resolve("jvm-" + stop + ".log");
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:ErrorFile=" + errors.resolve("hs_err_%p.log"), "-Djava.io.tmpdir=" + temp,
                    "-cp", System.getProperty("java.class.path"), EmbeddingsShutdownTest.class.getName(), doing)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> !jvm.isAlive() || Files.readString(output).contains("ready\n")
                                && (doing.equals("embedding") || modelWrittenOut(temp, modelBytes)));
                assertThat(jvm.isAlive()).as("%s; output:%n%s", doing, Files.readString(output)).isTrue();
                jvm.destroy(); // SIGTERM
                assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            } finally {
                jvm.destroyForcibly();
            }
            try (Stream<Path> crashes = Files.list(errors)) {
                assertThat(crashes).as("crash reports, stop %d, %s; output:%n%s", stop, doing, Files.readString(output)).isEmpty();
            }
            assertThat(jvm.exitValue()).as("status, stop %d, %s; output:%n%s", stop, doing, Files.readString(output)).isEqualTo(143);
        }
    }

    /** The model's file is in {@code temp} whole: ONNX Runtime is creating its session from it (then the file goes). */
    private static boolean modelWrittenOut(Path temp, long modelBytes) throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.filter(file -> file.getFileName().toString().startsWith("all-minilm-l6-v2-q")).anyMatch(file -> {
                try {
                    return Files.size(file) == modelBytes;
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }
}
