package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.events.testing.SecurityFigures;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.net.TestDnsServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * URLs that try to make {@code http.fetch} reach what it must not: loopback, private and metadata
 * addresses written every way, user info, ports and schemes, names whose DNS answers point inside,
 * a redirect and a name that rebinds between the check and the connection. Names resolve through a
 * DNS server of the test ({@code switchboard.tools.http.dns-server}); a page on 127.0.0.2, which the
 * allowlist names, is the one place they may reach, and a server on 127.0.0.3 at the same port counts
 * any request that got through to where it must not.
 */
@Tag("security")
class SsrfCorpusTest {

    private final AtomicInteger allowedRequests = new AtomicInteger();
    private final AtomicInteger forbiddenRequests = new AtomicInteger();
    private TestDnsServer dns;
    private HttpServer allowed;
    private HttpServer forbidden;
    private int port;

    @BeforeEach
    void start() throws IOException {
        startServers();
        dns = new TestDnsServer()
                .answer("public.test", "127.0.0.2")
                .rebinding("rebind.test", "127.0.0.2", "127.0.0.3")
                .answer("private.test", "10.0.0.5")
                .answer("private172.test", "172.16.5.4")
                .answer("private192.test", "192.168.1.1")
                .answer("loopback.test", "127.0.0.1")
                .answer("localhost", "127.0.0.1", "::1")
                .answer("linklocal.test", "169.254.169.254")
                .answer("metadata6.test", "fd00:ec2::254")
                .answer("mapped.test", "::ffff:127.0.0.1")
                .answer("v6loopback.test", "::1")
                .answer("v6private.test", "fd12:3456::1")
                .answer("v6linklocal.test", "fe80::1")
                .answer("cgnat.test", "100.64.0.1")
                .answer("zero.test", "0.0.0.0")
                .answer("multicast.test", "224.0.0.251")
                .answer("broadcast.test", "255.255.255.255")
                .answer("nat64.test", "64:ff9b::a00:5")
                .answer("sixtofour.test", "2002:a00:5::1")
                .answer("compatible.test", "::7f00:1")
                .answer("mixed.test", "127.0.0.2", "10.0.0.5");
    }

    @AfterEach
    void stop() {
        allowed.stop(0);
        forbidden.stop(0);
        dns.close();
    }

    @Test
    void everyUrlThatShouldBeBlockedIsBlockedAndTheAllowedPageIsReached() {
        String p = String.valueOf(port);
        List<Case> corpus = List.of(
                // allowed controls: the page on 127.0.0.2, which the allowlist names exactly
                allow("http://public.test:" + p + "/"),
                allow("http://PUBLIC.Test.:" + p + "/"),
                allow("http://127.0.0.2:" + p + "/"),
                allow("http://rebind.test:" + p + "/"), // its first answer: 127.0.0.2, and the connection goes there
                // rebinding and redirects
                block("http://rebind.test:" + p + "/"), // its second answer: 127.0.0.3
                block("http://public.test:" + p + "/redirect"), // 302 to 127.0.0.3, not followed
                // IPv4 written other ways
                block("http://2130706433/"),
                block("http://0177.0.0.1/"),
                block("http://0x7f.1/"),
                block("http://127.1/"),
                block("http://0x7f000001/"),
                block("http://017700000001/"),
                block("http://127.0.0.1/"),
                block("http://127.0.0.3:" + p + "/"),
                block("http://0.0.0.0:" + p + "/"),
                block("http://%31%32%37.0.0.1/"),
                // IPv6 forms
                block("http://[::1]/"),
                block("http://[0:0:0:0:0:0:0:1]/"),
                block("http://[::ffff:127.0.0.1]/"),
                block("http://[::ffff:7f00:1]/"),
                block("http://[fe80::1]/"),
                block("http://[fe80::1%25eth0]/"),
                block("http://[fd00:ec2::254]/"),
                block("http://[::]/"),
                block("http://[::ffff:169.254.169.254]/"),
                block("http://[64:ff9b::7f00:1]/"),
                // cloud metadata
                block("http://169.254.169.254/latest/meta-data/"),
                block("http://linklocal.test/latest/meta-data/"),
                block("http://metadata6.test/"),
                // user info
                block("http://public.test@evil.test/"),
                block("http://evil.test@public.test:" + p + "/"),
                block("http://user:pass@public.test:" + p + "/"),
                block("http://public.test:" + p + "@evil.test/"),
                // names, case, trailing dots
                block("http://evil.test/"),
                block("http://public.test.evil.test/"),
                block("http://PRIVATE.TEST./"),
                block("http://LOCALHOST./"),
                block("http://localhost:" + p + "/"),
                block("http://\u24db\u24de\u24d2\u24d0\u24db\u24d7\u24de\u24e2\u24e3/"),
                // ports
                block("http://public.test:22/"),
                block("http://public.test:6379/"),
                block("https://public.test:8443/"),
                block("http://127.0.0.2:25/"),
                block("http://public.test:0/"),
                // schemes and URLs that are not URLs
                block("file:///etc/passwd"),
                block("gopher://public.test:" + p + "/_GET%20/"),
                block("ftp://public.test/"),
                block("jar:http://public.test:" + p + "/x.jar!/"),
                block("dict://public.test:" + p + "/info"),
                block("http:///etc/passwd"),
                block("http://public.test:" + p + "\\@evil.test/"),
                // names whose DNS answers point inside
                block("http://private.test/"),
                block("http://private172.test/"),
                block("http://private192.test/"),
                block("http://loopback.test:" + p + "/"),
                block("http://mapped.test/"),
                block("http://v6loopback.test/"),
                block("http://v6private.test/"),
                block("http://v6linklocal.test/"),
                block("http://cgnat.test/"),
                block("http://zero.test/"),
                block("http://multicast.test/"),
                block("http://broadcast.test/"),
                block("http://nat64.test/"),
                block("http://sixtofour.test/"),
                block("http://compatible.test/"),
                block("http://mixed.test:" + p + "/"));
        HttpFetchTool tool = new HttpFetchTool(new HttpFetchTool.HttpToolProperties(
                List.of("public.test", "rebind.test", "private.test", "private172.test", "private192.test", "loopback.test",
                        "localhost", "linklocal.test", "metadata6.test", "mapped.test", "v6loopback.test", "v6private.test",
                        "v6linklocal.test", "cgnat.test", "zero.test", "multicast.test", "broadcast.test", "nat64.test",
                        "sixtofour.test", "compatible.test", "mixed.test", "127.0.0.2"),
                List.of("80", "443", p), dns.address(), Duration.ofSeconds(2), DataSize.ofKilobytes(64)));

        int blocked = 0;
        int reached = 0;
        List<String> unexpected = new ArrayList<>();
        for (Case test : corpus) {
            String outcome = outcome(tool, test.url());
            boolean wasBlocked = !outcome.startsWith("reached");
            blocked += wasBlocked ? 1 : 0;
            reached += wasBlocked ? 0 : 1;
            if (wasBlocked == test.allowed() || outcome.startsWith("failed")) {
                unexpected.add(test.url() + " -> " + outcome);
            }
            System.out.printf("  %-8s %s: %s%n", test.allowed() ? "allow" : "block", test.url(), outcome);
        }
        long expectedBlocked = corpus.stream().filter(test -> !test.allowed()).count();
        SecurityFigures.record("ssrf", "SSRF corpus: %d URLs, %d blocked, %d allowed%s".formatted(corpus.size(), blocked, reached,
                unexpected.isEmpty() ? " as expected" : ", " + unexpected.size() + " not as expected"));

        assertThat(unexpected).isEmpty();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
        assertThat(blocked).isEqualTo(expectedBlocked);
        assertThat(forbiddenRequests).as("requests that reached 127.0.0.3").hasValue(0);
        assertThat(allowedRequests).as("the allowed controls and the redirect that was not followed").hasValue(reached + 1);
        assertThat(dns.lookups("rebind.test")).as("one lookup per fetch: the connection looked nothing up").isEqualTo(2);
    }

    /** "reached ..." for a page, "blocked: why" for a permanent failure, "failed: why" for one that tried to connect. */
    private static String outcome(HttpFetchTool tool, String url) {
        try {
            Map<String, Object> output = tool.execute(new ToolCall("acme", "c", "run-1", 1, "k", Map.of("url", url)));
            return "reached, " + output.get("status") + " '" + output.get("text") + "'";
        } catch (ToolFailure failure) {
            return (failure.retryable() ? "failed: " : "blocked: ") + failure.getMessage();
        }
    }

    /** One server on 127.0.0.2, which the allowlist names, and one at the same port on 127.0.0.3, which it does not. */
    private void startServers() throws IOException {
        for (int attempt = 1; ; attempt++) {
            allowed = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
            port = allowed.getAddress().getPort();
            try {
                forbidden = HttpServer.create(new InetSocketAddress("127.0.0.3", port), 0);
                break;
            } catch (BindException e) {
                allowed.stop(0);
                if (attempt == 5) {
                    throw e;
                }
            }
        }
        allowed.createContext("/", exchange -> {
            allowedRequests.incrementAndGet();
            respond(exchange, 200, "<p>The allowed page.</p>");
        });
        allowed.createContext("/redirect", exchange -> {
            allowedRequests.incrementAndGet();
            exchange.getResponseHeaders().add("Location", "http://127.0.0.3:" + port + "/");
            respond(exchange, 302, "");
        });
        forbidden.createContext("/", exchange -> {
            forbiddenRequests.incrementAndGet();
            respond(exchange, 200, "<p>Inside.</p>");
        });
        allowed.start();
        forbidden.start();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static Case allow(String url) {
        return new Case(url, true);
    }

    private static Case block(String url) {
        return new Case(url, false);
    }

    private record Case(String url, boolean allowed) {
    }
}
