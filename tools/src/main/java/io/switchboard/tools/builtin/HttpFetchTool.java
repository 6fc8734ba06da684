package io.switchboard.tools.builtin;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code http.fetch}: GETs a page from an allowed host and returns its text. Redirects are not
 * followed (they could leave the allowlist); bodies are cut at the size limit; 5xx and 429 are
 * worth a retry, other errors are not. Sends the task's {@code Idempotency-Key}.
 */
class HttpFetchTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("http.fetch", 1,
            "Fetches a page from an allowed host and returns its text.", 3, Duration.ofSeconds(15), false, 200);

    private final HttpClient client;
    private final Set<String> allowedHosts;
    private final Duration timeout;
    private final int maxBytes;

    HttpFetchTool(HttpToolProperties properties) {
        this.allowedHosts = properties.allowedHosts().stream()
                .map(host -> host.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.timeout = properties.timeout();
        this.maxBytes = (int) properties.maxBodySize().toBytes();
        this.client = HttpClient.newBuilder()
                .connectTimeout(properties.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return METADATA.name();
    }

    @Override
    public Map<String, Object> parameters() {
        return Tool.stringArguments(Map.of("url", "The http or https URL of a page on an allowed host"), Map.of());
    }

    @Override
    public ToolMetadata metadata() {
        return METADATA;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        URI uri = allowed(call.requiredText("url"));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Idempotency-Key", call.idempotencyKey())
                .header("User-Agent", "switchboard-worker/1")
                .header("Accept", "text/html, text/plain;q=0.9, */*;q=0.5")
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ToolFailure.transientFailure("GET " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ToolFailure.transientFailure("GET " + uri + " was interrupted", e);
        }
        int status = response.statusCode();
        byte[] body = read(uri, response);
        if (status >= 500 || status == 429) {
            throw ToolFailure.transientFailure("GET " + uri + " answered " + status, null);
        }
        if (status >= 300) {
            throw ToolFailure.permanent("GET " + uri + " answered " + status);
        }
        boolean truncated = body.length > maxBytes;
        String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
        String raw = new String(body, 0, Math.min(body.length, maxBytes), StandardCharsets.UTF_8);
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("url", uri.toString());
        output.put("status", status);
        output.put("contentType", contentType);
        output.put("bytes", Math.min(body.length, maxBytes));
        output.put("truncated", truncated);
        output.put("text", contentType.contains("html") ? HtmlText.of(raw) : raw.strip());
        return output;
    }

    private byte[] read(URI uri, HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw ToolFailure.transientFailure("reading " + uri + " failed: " + e, e);
        }
    }

    private URI allowed(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ToolFailure.permanent("'" + url + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ToolFailure.permanent("only http and https URLs can be fetched, not '" + url + "'");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!allowedHosts.contains(host)) {
            throw ToolFailure.permanent("host '" + host + "' is not allowed (switchboard.tools.http.allowed-hosts)");
        }
        return uri;
    }

    /**
     * @param allowedHosts the only hosts {@code http.fetch} may contact
     * @param timeout      for connecting and for the whole response
     * @param maxBodySize  bodies are cut here
     */
    @ConfigurationProperties("switchboard.tools.http")
    record HttpToolProperties(
            @DefaultValue List<String> allowedHosts,
            @DefaultValue("5s") Duration timeout,
            @DefaultValue("256KB") DataSize maxBodySize) {
    }
}
