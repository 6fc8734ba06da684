package io.switchboard.worker.models;

import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.PlatformProperties.ModelProvider;
import io.switchboard.tools.ToolFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.stereotype.Component;

/**
 * The configured model providers ({@code switchboard.models}), each an OpenAI-compatible chat
 * model made on first use. The SDK never retries on its own: retries are the platform's.
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

    /** A provider and its chat model; a provider that is not configured fails the task for good. */
    record Provider(String name, ModelProvider settings, OpenAiChatModel chatModel, String keyHash) {
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
        OpenAiChatModel chatModel = OpenAiChatModel.builder().options(options.build()).build();
        return new Provider(name, settings, chatModel, keyHash(settings));
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
