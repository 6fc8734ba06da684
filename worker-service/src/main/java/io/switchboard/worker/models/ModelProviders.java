package io.switchboard.worker.models;

import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.PlatformProperties.ModelProvider;
import io.switchboard.tools.ToolFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.stereotype.Component;

/**
 * The configured model providers ({@code switchboard.models}), each an OpenAI-compatible chat
 * model made on first use. The SDK never retries on its own: retries are the platform's. Its HTTP
 * client opens at most {@value #CALLS_PER_CLIENT} calls at once and queues the rest, so a provider
 * gets one client for every {@value #CALLS_PER_CLIENT} of its {@code concurrent-calls}, and a call
 * takes the least busy.
 */
@Component
class ModelProviders {

    private final Map<String, ModelProvider> configured;
    private final PlatformProperties properties;
    private final Map<String, Provider> providers = new ConcurrentHashMap<>();

    ModelProviders(PlatformProperties properties) {
        this.properties = properties;
        this.configured = properties.models();
    }

    /** Calls Spring AI's OkHttp dispatcher lets one client have open at once. */
    static final int CALLS_PER_CLIENT = 64;

    /** A provider and its chat models; a provider that is not configured fails the task for good. */
    record Provider(String name, ModelProvider settings, Clients clients, String keyHash) {
    }

    /** A provider's chat models, each with its own HTTP client, and how many calls each has open. */
    static final class Clients {

        private final List<OpenAiChatModel> models;
        private final int[] open;

        Clients(List<OpenAiChatModel> models) {
            this.models = models;
            this.open = new int[models.size()];
        }

        /** The least busy chat model, until the lease is closed. */
        synchronized Lease lease() {
            int least = 0;
            for (int i = 1; i < open.length; i++) {
                least = open[i] < open[least] ? i : least;
            }
            open[least]++;
            int index = least;
            return new Lease(models.get(index), () -> release(index));
        }

        private synchronized void release(int index) {
            open[index]--;
        }
    }

    /** One call's chat model; closing it gives the model's place back. */
    record Lease(OpenAiChatModel chatModel, Runnable release) implements AutoCloseable {

        @Override
        public void close() {
            release.run();
        }
    }

    Provider provider(String name) {
        properties.modelUnavailable(name).ifPresent(missing -> {
            throw ToolFailure.permanent(missing);
        });
        return providers.computeIfAbsent(name, this::connect);
    }

    /** The longest any provider's call may take. */
    Duration longestTimeout() {
        return configured.values().stream().map(ModelProvider::timeout).filter(t -> t != null)
                .max(Duration::compareTo).orElse(Duration.ofSeconds(60));
    }

    private Provider connect(String name) {
        ModelProvider settings = configured.get(name);
        OpenAiChatOptions.Builder options = OpenAiChatOptions.builder()
                .baseUrl(settings.baseUrl())
                .model(settings.model())
                .maxRetries(0)
                .timeout(settings.timeout());
        // A server that wants no key (Ollama, vLLM) still gets one: the SDK requires it.
        options.apiKey(settings.apiKey() == null || settings.apiKey().isBlank() ? "none" : settings.apiKey());
        OpenAiChatOptions built = options.build();
        int clients = Math.max(1, (settings.concurrentCalls() + CALLS_PER_CLIENT - 1) / CALLS_PER_CLIENT);
        return new Provider(name, settings, new Clients(IntStream.range(0, clients)
                .mapToObj(i -> OpenAiChatModel.builder().options(built).build()).toList()), keyHash(settings));
    }

    /** Names the provider's key in Redis without the key itself: a hash of the base URL and the key. */
    static String keyHash(ModelProvider settings) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (settings.baseUrl() + "\n" + settings.apiKey()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
