package io.switchboard.tools.builtin;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.tools.net.HostResolver;
import io.switchboard.tools.net.OutboundGuard;
import io.switchboard.tools.net.OutboundRefusal;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code http.fetch}: GETs a page from an allowed host and returns its text. The {@link OutboundGuard}
 * vets the URL and the addresses its host resolves to, and the request connects to those addresses
 * only. Redirects are not followed (they could leave the allowlist); bodies are cut at the size limit;
 * 5xx and 429 are worth a retry, other errors are not. Sends the task's {@code Idempotency-Key}.
 */
class HttpFetchTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("http.fetch", 1,
            "Fetches a page from an allowed host and returns its text.", 3, Duration.ofSeconds(15), false, 200);

    private final OutboundGuard guard;
    private final Duration timeout;
    private final int maxBytes;

    HttpFetchTool(HttpToolProperties properties) {
        this(properties, properties.guard());
    }

    HttpFetchTool(HttpToolProperties properties, OutboundGuard guard) {
        this.guard = guard;
        this.timeout = properties.timeout();
        this.maxBytes = (int) properties.maxBodySize().toBytes();
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
        OutboundGuard.Target target = checked(call.requiredText("url"));
        URI uri = target.uri();
        HttpGet request = new HttpGet(uri);
        request.addHeader("Idempotency-Key", call.idempotencyKey());
        request.addHeader("User-Agent", "switchboard-worker/1");
        request.addHeader("Accept", "text/html, text/plain;q=0.9, */*;q=0.5");
        Response response = send(target, request);
        int status = response.status();
        if (status >= 500 || status == 429) {
            throw ToolFailure.transientFailure("GET " + uri + " answered " + status, null);
        }
        if (status >= 300) {
            throw ToolFailure.permanent("GET " + uri + " answered " + status);
        }
        byte[] body = response.body();
        boolean truncated = body.length > maxBytes;
        String raw = new String(body, 0, Math.min(body.length, maxBytes), StandardCharsets.UTF_8);
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("url", uri.toString());
        output.put("status", status);
        output.put("contentType", response.contentType());
        output.put("bytes", Math.min(body.length, maxBytes));
        output.put("truncated", truncated);
        output.put("text", response.contentType().contains("html") ? HtmlText.of(raw) : raw.strip());
        return output;
    }

    private OutboundGuard.Target checked(String url) {
        try {
            return guard.check(url);
        } catch (OutboundRefusal e) {
            throw ToolFailure.permanent(e.getMessage());
        } catch (UnknownHostException e) {
            throw ToolFailure.transientFailure("GET " + url + " failed: " + e, e);
        }
    }

    private Response send(OutboundGuard.Target target, HttpGet request) {
        try (CloseableHttpClient client = guard.client(target, timeout)) {
            ClassicHttpResponse response = client.executeOpen(null, request, null);
            try {
                Header type = response.getFirstHeader("Content-Type");
                return new Response(response.getCode(), type == null ? "application/octet-stream" : type.getValue(),
                        read(target.uri(), response.getEntity()));
            } finally {
                request.cancel(); // drops the connection, and with it whatever is left of a cut body
            }
        } catch (IOException e) {
            throw ToolFailure.transientFailure("GET " + target.uri() + " failed: " + e, e);
        }
    }

    /**
     * Up to one byte more than the limit, so that a cut body shows. The stream is left open: closing it
     * would read the body to its end, however long; the connection is dropped instead.
     */
    private byte[] read(URI uri, HttpEntity entity) {
        if (entity == null) {
            return new byte[0];
        }
        try {
            return entity.getContent().readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw ToolFailure.transientFailure("reading " + uri + " failed: " + e, e);
        }
    }

    private record Response(int status, String contentType, byte[] body) {
    }

    /**
     * @param allowedHosts the only hosts {@code http.fetch} may contact, by name or by address; an address
     *                     that is loopback, private, link-local, ... is reached only if named here
     * @param allowedPorts the ports it may contact: ports and ranges {@code a-b}
     * @param dnsServer    {@code host:port} of a DNS server to resolve names with instead of the system's
     * @param timeout      for connecting and for each wait for the response
     * @param maxBodySize  bodies are cut here
     */
    @ConfigurationProperties("switchboard.tools.http")
    record HttpToolProperties(
            @DefaultValue List<String> allowedHosts,
            @DefaultValue({"80", "443"}) List<String> allowedPorts,
            String dnsServer,
            @DefaultValue("5s") Duration timeout,
            @DefaultValue("256KB") DataSize maxBodySize) {

        OutboundGuard guard() {
            return new OutboundGuard(allowedHosts, allowedPorts,
                    dnsServer == null || dnsServer.isBlank() ? HostResolver.system() : HostResolver.dnsServer(dnsServer.strip()));
        }
    }
}
