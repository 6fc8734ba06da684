package io.switchboard.store;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;

/**
 * Text to meaning: all-MiniLM-L6-v2 (384 dimensions, its weights quantised to 8 bits: 23 MB, and
 * about twice as fast as the full 90 MB model on a CPU) run in this JVM by ONNX Runtime, from the
 * model inside its jar, so nothing is downloaded at run time. Vectors are normalised and
 * quantised to one signed byte per dimension: 384 bytes a run, and a dot product of two of them
 * ranks by cosine similarity. The model is loaded on first use (about a second).
 */
public class Embeddings {

    public static final int DIMENSIONS = 384;
    /** What is embedded of a text: the model reads 256 word pieces at most, about this many characters. */
    static final int MAX_CHARACTERS = 1_500;

    private volatile EmbeddingModel model;

    public byte[] embed(String text) {
        return quantize(model().embed(cut(text)).content().vector());
    }

    public List<byte[]> embedAll(List<String> texts) {
        return model().embedAll(texts.stream().map(text -> TextSegment.from(cut(text))).toList()).content().stream()
                .map(embedding -> quantize(embedding.vector())).toList();
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
                    model = loaded = new AllMiniLmL6V2QuantizedEmbeddingModel();
                }
            }
        }
        return loaded;
    }
}
