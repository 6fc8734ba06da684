package io.switchboard.tools.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutboundGuardTest {

    private static final Map<String, List<String>> DNS = Map.of(
            "docs.example", List.of("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
            "inside.example", List.of("10.0.0.5"),
            "localhost", List.of("127.0.0.1", "::1"));

    @Test
    void aNameIsResolvedOnceAndTheTargetCarriesTheAddressesToConnectTo() throws Exception {
        OutboundGuard.Target target = guard("docs.example").check("https://Docs.Example./page");

        assertThat(target.host()).isEqualTo("docs.example");
        assertThat(target.port()).isEqualTo(443);
        assertThat(target.addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946");
    }

    @Test
    void aNameThatResolvesToAPrivateAddressIsRefusedSayingWhichAndHowToAllowIt() {
        assertThatThrownBy(() -> guard("inside.example").check("http://inside.example/"))
                .isInstanceOf(OutboundRefusal.class)
                .hasMessage("host 'inside.example' resolves to 10.0.0.5, a private address; "
                        + "switchboard.tools.http.allowed-hosts must name that address to allow it");
    }

    @Test
    void everyAddressOfANameMustBeAllowedAndLoopbackOnlyWhenNamedExactly() throws Exception {
        assertThatThrownBy(() -> guard("localhost", "127.0.0.1").check("http://localhost/"))
                .hasMessageStartingWith("host 'localhost' resolves to 0:0:0:0:0:0:0:1, a loopback address");
        assertThat(guard("localhost", "127.0.0.1", "::1").check("http://localhost/").addresses()).hasSize(2);
        assertThat(guard("127.0.0.1").check("http://127.0.0.1/").addresses()).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.1");
        assertThatThrownBy(() -> guard("127.0.0.1").check("http://[::1]/")).hasMessageContaining("host '::1' is not allowed");
        assertThat(guard("::1").check("http://[0:0:0:0:0:0:0:1]/").host()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void onlyTheAllowedPortsAndRangesAreReached() throws Exception {
        OutboundGuard guard = new OutboundGuard(List.of("docs.example"), List.of("80", " 8000-8999 "), this::resolve);

        assertThat(guard.check("http://docs.example/").port()).isEqualTo(80);
        assertThat(guard.check("http://docs.example:8080/").port()).isEqualTo(8080);
        assertThatThrownBy(() -> guard.check("https://docs.example/"))
                .hasMessage("port 443 of host 'docs.example' is not allowed (switchboard.tools.http.allowed-ports: 80,8000-8999)");
        assertThatThrownBy(() -> guard.check("http://docs.example:9000/")).isInstanceOf(OutboundRefusal.class);
        for (String wrong : List.of("http", "0", "9-1", "1-65536", "80-")) {
            assertThatThrownBy(() -> new OutboundGuard(List.of(), List.of(wrong), this::resolve))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + wrong + "' is neither a port nor a range");
        }
    }

    @Test
    void aNameThatDoesNotResolveIsNotARefusalButAFailureThatMayPass() {
        assertThatThrownBy(() -> guard("nowhere.example").check("http://nowhere.example/"))
                .isInstanceOf(UnknownHostException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.1.2.3             | a 'this network' address",
            "127.255.0.1         | a loopback address",
            "10.200.0.1          | a private address",
            "172.16.0.1          | a private address",
            "172.31.255.255      | a private address",
            "192.168.0.1         | a private address",
            "100.64.0.1          | a carrier-grade NAT address",
            "100.127.255.254     | a carrier-grade NAT address",
            "169.254.169.254     | the cloud metadata address",
            "169.254.1.1         | a link-local address",
            "224.0.0.251         | a multicast address",
            "255.255.255.255     | the broadcast address",
            "240.0.0.1           | a reserved address",
            "::                  | the unspecified address",
            "::1                 | a loopback address",
            "fd00:ec2::254       | the cloud metadata address",
            "fd12:3456::1        | a unique-local address",
            "fc00::1             | a unique-local address",
            "fe80::1             | a link-local address",
            "febf::1             | a link-local address",
            "fec0::1             | a site-local address",
            "ff02::1             | a multicast address",
            "::ffff:10.0.0.1     | a private address",
            "::7f00:1            | an IPv6 address embedding 127.0.0.1, a loopback address",
            "::ffff:0:a9fe:a9fe  | an IPv6 address embedding 169.254.169.254, the cloud metadata address",
            "64:ff9b::a00:5      | an IPv6 address embedding 10.0.0.5, a private address",
            "2002:c0a8:101::1    | an IPv6 address embedding 192.168.1.1, a private address"})
    void forbiddenAddressesAreToldApart(String literal, String why) {
        assertThat(Addresses.forbidden(literal(literal))).hasValueSatisfying(reason -> assertThat(reason).startsWith(why));
    }

    @ParameterizedTest
    @CsvSource({"93.184.216.34", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1", "192.169.0.1",
            "169.253.1.1", "223.255.255.255", "2606:4700::1111", "2001:4860:4860::8888", "64:ff9b::808:808", "2002:808:808::1",
            "::ffff:8.8.8.8"})
    void publicAddressesMayBeReached(String literal) {
        assertThat(Addresses.forbidden(literal(literal))).isEmpty();
    }

    @Test
    void aDnsServerAnswersAAndAaaaRecordsFreshEachTime() throws Exception {
        try (TestDnsServer dns = new TestDnsServer()
                .answer("both.test", "192.0.2.7", "2001:db8::7")
                .rebinding("rebind.test", "192.0.2.1", "192.0.2.2")) {
            HostResolver resolver = HostResolver.dnsServer(dns.address());

            assertThat(resolver.resolve("both.test")).extracting(InetAddress::getHostAddress)
                    .containsExactly("192.0.2.7", "2001:db8:0:0:0:0:0:7");
            assertThat(resolver.resolve("rebind.test")).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.1");
            assertThat(resolver.resolve("rebind.test")).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.2");
            assertThat(dns.lookups("rebind.test")).isEqualTo(2);
            assertThatThrownBy(() -> resolver.resolve("unknown.test")).isInstanceOf(UnknownHostException.class);
        }
    }

    @Test
    void thePinnedClientConnectsToTheVettedAddressWithoutLookingTheNameUpAgain() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = exchange.getRequestHeaders().getFirst("Host").getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        // a name no resolver knows: the client can only reach it through the addresses the target carries
        OutboundGuard guard = new OutboundGuard(List.of("pinned.invalid", "127.0.0.2"), List.of(String.valueOf(port)),
                host -> List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2})));
        OutboundGuard.Target target = guard.check("http://pinned.invalid:" + port + "/");
        try (CloseableHttpClient client = guard.client(target, Duration.ofSeconds(2))) {
            String host = client.execute(new HttpGet(target.uri()), response -> EntityUtils.toString(response.getEntity()));

            assertThat(host).isEqualTo("pinned.invalid:" + port);
            assertThat(requests).hasValue(1);
            assertThatThrownBy(() -> client.execute(new HttpGet(URI.create("http://127.0.0.2:" + port + "/")), response -> null))
                    .isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("was not checked");
            assertThat(requests).hasValue(1);
        } finally {
            server.stop(0);
        }
    }

    private OutboundGuard guard(String... allowedHosts) {
        return new OutboundGuard(List.of(allowedHosts), List.of("80", "443"), this::resolve);
    }

    private List<InetAddress> resolve(String host) throws UnknownHostException {
        List<String> addresses = DNS.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        return addresses.stream().map(literal -> Addresses.address(host, literal(literal).getAddress())).toList();
    }

    private static InetAddress literal(String text) {
        InetAddress address = text.contains(":") ? Addresses.ipv6(text) : Addresses.dottedQuad(text);
        assertThat(address).as(text).isNotNull();
        return address;
    }
}
