package io.switchboard.store;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.TransientDataAccessResourceException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Text to meaning: all-MiniLM-L6-v2 (384 dimensions, its weights quantised to 8 bits: 23 MB, and
 * about twice as fast as the full 90 MB model on a CPU) run in this JVM by ONNX Runtime, from the
 * model inside its jar, so nothing is downloaded at run time. Vectors are normalised and
 * quantised to one signed byte per dimension: 384 bytes a run, and a dot product of two of them
 * ranks by cosine similarity. The model is loaded on first use (about a second).
 *
 * <p>It runs on the calling thread alone: one ONNX Runtime thread that does not spin while it waits
 * (its defaults are a thread per core, spinning between calls, and a pool that embeds a batch's
 * texts in parallel), so an indexer that embeds a quarter of the time costs a quarter of one core,
 * not half of a two-core machine.
 *
 * <p>ONNX Runtime releases its environment in a JVM shutdown hook of its own, which runs as soon as
 * the JVM begins to stop, beside Spring's graceful shutdown and under any thread still inside the
 * model: a service stopped while it loaded the model or embedded crashed (SIGSEGV in
 * {@code libonnxruntime}). So from the first call on, SIGTERM and SIGINT first wait for the calls in
 * progress and refuse new ones ({@link Closed}), then stop the JVM as it would have.
 */
public class Embeddings {

    public static final int DIMENSIONS = 384;
    /** What is embedded of a text: the model reads 256 word pieces at most, about this many characters. */
    static final int MAX_CHARACTERS = 1_500;
    /** How long a stop waits for the calls in progress. */
    static final long CLOSE_WAIT_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(Embeddings.class);

    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile EmbeddingModel model;

    /** The model is closed: this service is stopping. A transient failure: another instance, or this one restarted, can serve. */
    public static final class Closed extends TransientDataAccessResourceException {
        Closed() {
            super("the embedding model is closed: this service is stopping");
        }
    }

    public byte[] embed(String text) {
        return use(loaded -> quantize(loaded.embed(cut(text)).content().vector()));
    }

    public List<byte[]> embedAll(List<String> texts) {
        return use(loaded -> loaded.embedAll(texts.stream().map(text -> TextSegment.from(cut(text))).toList()).content().stream()
                .map(embedding -> quantize(embedding.vector())).toList());
    }

    /** Waits for the calls in progress (at most {@value #CLOSE_WAIT_SECONDS} s), then refuses any more with {@link Closed}. */
    void close() {
        Lock all = inUse.writeLock();
        boolean waited = false;
        try {
            waited = all.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
            if (waited) {
                all.unlock();
            }
        }
    }

    private <T> T use(Function<EmbeddingModel, T> call) {
        Lock one = inUse.readLock();
        one.lock();
        try {
            if (closed) {
                throw new Closed();
            }
            return call.apply(model());
        } finally {
            one.unlock();
        }
    }

    /** The similarity of two quantised vectors: their dot product, 127² for the same direction. */
    static int similarity(byte[] a, int aOffset, byte[] b) {
        int sum = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            sum += a[aOffset + i] * b[i];
        }
        return sum;
    }

    static byte[] quantize(float[] vector) {
        double norm = 0;
        for (float component : vector) {
            norm += component * component;
        }
        double scale = norm == 0 ? 0 : 127 / Math.sqrt(norm);
        byte[] quantized = new byte[vector.length];
        for (int i = 0; i < vector.length; i++) {
            quantized[i] = (byte) Math.round(vector[i] * scale);
        }
        return quantized;
    }

    private static String cut(String text) {
        String blank = text == null || text.isBlank() ? "(empty)" : text;
        return blank.length() <= MAX_CHARACTERS ? blank : blank.substring(0, MAX_CHARACTERS);
    }

    private EmbeddingModel model() {
        EmbeddingModel loaded = model;
        if (loaded == null) {
            synchronized (this) {
                loaded = model;
                if (loaded == null) {
                    closeBeforeStopping(); // before ONNX Runtime registers its hook: the load is a call in progress too
                    model = loaded = new OnCallingThread();
                }
            }
        }
        return loaded;
    }

    /**
     * On SIGTERM and SIGINT, closes this, then hands the signal to the handler before it: another
     * instance's (the gateway's and the composer's in one JVM), down to the JVM's own, which stops it
     * with status 128 + the signal.
     */
    private void closeBeforeStopping() {
        for (String name : List.of("TERM", "INT")) {
            try {
                SignalHandler[] before = new SignalHandler[1];
                before[0] = Signal.handle(new Signal(name), signal -> {
                    close();
                    if (before[0] == SignalHandler.SIG_DFL || before[0] == SignalHandler.SIG_IGN) {
                        System.exit(128 + signal.getNumber());
                    }
                    before[0].handle(signal);
                });
            } catch (IllegalArgumentException e) {
                LOG.warn("SIG{} cannot be handled here ({}): a stop while the model embeds may crash the JVM", name, e.getMessage());
            }
        }
    }

    /** The quantised all-MiniLM-L6-v2 of its jar, on one ONNX Runtime thread and the caller's. */
    private static final class OnCallingThread extends AbstractInProcessEmbeddingModel {

        private final OnnxBertBiEncoder encoder;

        OnCallingThread() {
            super(Runnable::run);
            Path model = null;
            try (InputStream tokenizer = resource("all-minilm-l6-v2-q-tokenizer.json");
                 OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                // ONNX Runtime reads the model from a file, off the heap: not 23 MB of it on the heap.
                model = Files.createTempFile("all-minilm-l6-v2-q", ".onnx");
                try (InputStream weights = resource("all-minilm-l6-v2-q.onnx")) {
                    Files.copy(weights, model, StandardCopyOption.REPLACE_EXISTING);
                }
                OrtEnvironment environment = OrtEnvironment.getEnvironment();
                encoder = new OnnxBertBiEncoder(environment, environment.createSession(model.toString(), options), tokenizer,
                        PoolingMode.MEAN);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (OrtException e) {
                throw new IllegalStateException("the embedding model could not be loaded", e);
            } finally {
                if (model != null) {
                    model.toFile().delete();
                }
            }
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return DIMENSIONS;
        }

        private static InputStream resource(String name) throws IOException {
            InputStream stream = AllMiniLmL6V2QuantizedEmbeddingModel.class.getResourceAsStream("/" + name);
            if (stream == null) {
                throw new IOException(name + " is not on the classpath");
            }
            return stream;
        }
    }
}
