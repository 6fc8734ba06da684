package io.switchboard.tools.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Asks one DNS server for a name's A and AAAA records (JNDI's DNS provider, one query per type), with no
 * cache: every {@link #resolve} is a fresh answer, which is what the guard then connects to.
 */
final class DnsServerResolver implements HostResolver {

    private static final List<String> TYPES = List.of("A", "AAAA");

    private final String server;
    private final Hashtable<String, String> environment = new Hashtable<>();

    DnsServerResolver(String server) {
        URI url = URI.create("dns://" + server);
        if (url.getHost() == null || url.getPath() != null && !url.getPath().isEmpty()) {
            throw new IllegalArgumentException("'" + server + "' is not a DNS server's host:port");
        }
        this.server = server;
        environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        environment.put(Context.PROVIDER_URL, url.toString());
        environment.put("com.sun.jndi.dns.timeout.initial", "1000");
        environment.put("com.sun.jndi.dns.timeout.retries", "2");
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            DirContext dns = new InitialDirContext(environment);
            try {
                for (String type : TYPES) {
                    Attribute records = dns.getAttributes(host, new String[] {type}).get(type);
                    for (int i = 0; records != null && i < records.size(); i++) {
                        addresses.add(record(host, records.get(i).toString()));
                    }
                }
            } finally {
                dns.close();
            }
        } catch (NameNotFoundException e) {
            throw new UnknownHostException(host + " is not known to the DNS server at " + server);
        } catch (NamingException e) {
            UnknownHostException failure = new UnknownHostException(host + " could not be resolved at " + server + ": " + e);
            failure.initCause(e);
            throw failure;
        }
        if (addresses.isEmpty()) {
            throw new UnknownHostException(host + " has no A or AAAA record at " + server);
        }
        return addresses;
    }

    private static InetAddress record(String host, String value) throws UnknownHostException {
        InetAddress address = value.contains(":") ? Addresses.ipv6(value) : Addresses.dottedQuad(value);
        if (address == null) {
            throw new UnknownHostException(host + " has a record that is not an address: '" + value + "'");
        }
        return Addresses.address(host, address.getAddress());
    }
}
