package io.switchboard.tools.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.util.Timeout;

/**
 * Decides whether an outbound HTTP call may reach a URL, and connects only where it decided. The
 * rules, in order:
 * <ol>
 *   <li>the scheme is {@code http} or {@code https}; the URL has no user info ({@code user@host});</li>
 *   <li>the host is one of the allowed hosts ({@code switchboard.tools.http.allowed-hosts}), compared
 *       without case or a trailing dot. An IPv4 address must be written {@code a.b.c.d} (octal, hex and
 *       shortened forms such as {@code 0177.0.0.1}, {@code 0x7f.1} or {@code 127.1} are refused); a host
 *       that is percent-encoded or not ASCII is refused;</li>
 *   <li>the port, written or the scheme's default, is an allowed one
 *       ({@code switchboard.tools.http.allowed-ports}: ports and ranges {@code a-b});</li>
 *   <li>the name is resolved once, and every address it resolves to must be one a call may reach: not
 *       loopback, unspecified, private (10/8, 172.16/12, 192.168/16), carrier-grade NAT (100.64/10),
 *       link-local (169.254/16, fe80::/10, with the metadata addresses 169.254.169.254 and
 *       fd00:ec2::254), unique-local (fc00::/7), site-local, multicast, 0/8 or 240/4 (with the
 *       broadcast address), nor an IPv6 address embedding such an IPv4 one (mapped, compatible,
 *       translated, NAT64, 6to4) &mdash; unless the allowed hosts name that exact address.</li>
 * </ol>
 * {@link #check} answers the {@link Target} with the addresses it vetted; {@link #client} connects to
 * those addresses and to no others (no second lookup, so a name that rebinds between the check and
 * the connection changes nothing), while TLS still checks the certificate against the host name.
 */
public final class OutboundGuard {

    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("http", 80, "https", 443);
    /** A host whose last label is a number is meant as an IPv4 address: DNS has no numeric top-level labels. */
    private static final Pattern NUMERIC = Pattern.compile("(?:.*\\.)?(?:\\d+|0x\\p{XDigit}*)");
    private static final TlsSocketStrategy TLS = DefaultClientTlsStrategy.createDefault();

    private final Set<String> allowedNames = new HashSet<>();
    private final Set<InetAddress> allowedAddresses = new HashSet<>();
    private final List<PortRange> allowedPorts;
    private final HostResolver resolver;

    /**
     * @param allowedHosts names and address literals ({@code docs.example}, {@code 10.0.0.7}, {@code ::1})
     * @param allowedPorts ports and ranges, such as {@code 80}, {@code 443}, {@code 8000-8999}
     * @param resolver     how names are resolved before they are judged
     */
    public OutboundGuard(Collection<String> allowedHosts, Collection<String> allowedPorts, HostResolver resolver) {
        for (String entry : allowedHosts) {
            String host = normalised(entry.strip());
            InetAddress address = host.contains(":") ? Addresses.ipv6(host) : Addresses.dottedQuad(host);
            if (address != null) {
                allowedAddresses.add(address);
            } else if (!host.isEmpty()) {
                allowedNames.add(host);
            }
        }
        this.allowedPorts = allowedPorts.stream().map(String::strip).filter(entry -> !entry.isEmpty()).map(PortRange::of).toList();
        this.resolver = resolver;
    }

    /** Checks a URL given as text; one that does not parse is refused. */
    public Target check(String url) throws UnknownHostException {
        try {
            return check(new URI(url));
        } catch (URISyntaxException e) {
            throw new OutboundRefusal("'" + url + "' is not a URL");
        }
    }

    /**
     * The target a call to {@code uri} may reach, with the addresses it may connect to.
     *
     * @throws OutboundRefusal       if a rule refuses it: the message says which and why
     * @throws UnknownHostException if the host name does not resolve (now; trying later may help)
     */
    public Target check(URI uri) throws UnknownHostException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!DEFAULT_PORTS.containsKey(scheme)) {
            throw new OutboundRefusal("only http and https URLs may be reached, not '" + uri + "'");
        }
        if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
            throw new OutboundRefusal("'" + uri + "' has user info before its host, which is refused");
        }
        if (uri.getHost() == null) {
            throw new OutboundRefusal("'" + uri + "' has no host that can be checked "
                    + "(encoded, non-ASCII and numeric shorthand hosts are refused)");
        }
        String host = normalised(uri.getHost());
        InetAddress literal = literal(host, uri.getHost().startsWith("["));
        if (literal == null ? !allowedNames.contains(host) : !allowedAddresses.contains(literal)) {
            throw new OutboundRefusal("host '" + host + "' is not allowed (switchboard.tools.http.allowed-hosts)");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORTS.get(scheme) : uri.getPort();
        if (allowedPorts.stream().noneMatch(range -> range.contains(port))) {
            throw new OutboundRefusal("port " + port + " of host '" + host + "' is not allowed (switchboard.tools.http.allowed-ports: "
                    + allowedPorts.stream().map(PortRange::toString).collect(Collectors.joining(",")) + ")");
        }
        List<InetAddress> addresses = literal != null ? List.of(literal) : resolver.resolve(host);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(host);
        }
        for (InetAddress address : addresses) {
            Optional<String> why = allowedAddresses.contains(address) ? Optional.empty() : Addresses.forbidden(address);
            if (why.isPresent()) {
                throw new OutboundRefusal("host '" + host + "' resolves to " + address.getHostAddress() + ", " + why.get()
                        + "; switchboard.tools.http.allowed-hosts must name that address to allow it");
            }
        }
        return new Target(uri, host, port, List.copyOf(addresses));
    }

    /**
     * An HTTP client that reaches {@code target}'s host only at the addresses {@link #check} vetted (any
     * other host does not resolve), follows no redirect, retries nothing, keeps no cookies and uses no
     * proxy. {@code timeout} bounds connecting, waiting for a connection and each wait for data. The
     * caller closes it; a long-lived user (an MCP session) checks the URL again before it builds another.
     */
    public CloseableHttpClient client(Target target, Duration timeout) {
        Timeout limit = Timeout.of(timeout);
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new PinnedDns(target))
                        .setTlsSocketStrategy(TLS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(limit).setSocketTimeout(limit).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(limit).setResponseTimeout(limit).setRedirectsEnabled(false).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .build();
    }

    /** The address a bracketed or numeric host stands for; null for a name. Non-standard numeric forms are refused. */
    private static InetAddress literal(String host, boolean bracketed) {
        if (bracketed) {
            InetAddress address = Addresses.ipv6(host);
            if (address == null) {
                throw new OutboundRefusal("host '" + host + "' is not an IPv6 address that can be checked (zones are refused)");
            }
            return address;
        }
        if (!NUMERIC.matcher(host).matches()) {
            return null;
        }
        InetAddress address = Addresses.dottedQuad(host);
        if (address == null) {
            throw new OutboundRefusal("host '" + host + "' is an IPv4 address in a non-standard form "
                    + "(octal, hex, shortened or out of range): write it as a.b.c.d");
        }
        return address;
    }

    /** Lower case, without IPv6 brackets or a trailing dot. */
    static String normalised(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * Where a checked call may go.
     *
     * @param uri       the URL as checked
     * @param host      its host, normalised (lower case, no trailing dot, no brackets)
     * @param port      the port, written or the scheme's default
     * @param addresses what {@code host} resolved to, every one vetted: the only addresses to connect to
     */
    public record Target(URI uri, String host, int port, List<InetAddress> addresses) {
    }

    /** Answers the vetted addresses for the checked host, and nothing for any other. */
    private record PinnedDns(Target target) implements DnsResolver {

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            if (!normalised(host).equals(target.host())) {
                throw new UnknownHostException(host + " was not checked by the outbound guard");
            }
            return target.addresses().toArray(InetAddress[]::new);
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }

    private record PortRange(int from, int to) {

        static PortRange of(String entry) {
            String[] bounds = entry.split("-", 2);
            try {
                PortRange range = new PortRange(Integer.parseInt(bounds[0].strip()), Integer.parseInt(bounds[bounds.length - 1].strip()));
                if (range.from >= 1 && range.from <= range.to && range.to <= 65535) {
                    return range;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new IllegalArgumentException("switchboard.tools.http.allowed-ports: '" + entry
                    + "' is neither a port nor a range a-b of ports from 1 to 65535");
        }

        boolean contains(int port) {
            return port >= from && port <= to;
        }

        @Override
        public String toString() {
            return from == to ? String.valueOf(from) : from + "-" + to;
        }
    }
}
