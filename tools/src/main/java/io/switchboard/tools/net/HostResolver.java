package io.switchboard.tools.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Finds the addresses of a host name: the system's resolver, or one DNS server asked directly. */
@FunctionalInterface
public interface HostResolver {

    /** Every address of {@code host}, never empty: a name with none is an {@link UnknownHostException}. */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JVM's resolver ({@link InetAddress#getAllByName}), with its cache. */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }

    /** Asks the DNS server at {@code hostAndPort} (such as {@code 10.0.0.2:53}) for A and AAAA records, uncached. */
    static HostResolver dnsServer(String hostAndPort) {
        return new DnsServerResolver(hostAndPort);
    }
}
