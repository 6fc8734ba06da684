package io.switchboard.tools.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server for tests, on 127.0.0.1 (UDP, a free port): answers A and AAAA queries from a table,
 * NXDOMAIN for a name it does not know. A rebinding name answers one address to its first A query and
 * another to every later one, as a hostile DNS server does between a check and a connection.
 */
public final class TestDnsServer implements AutoCloseable {

    private static final int A = 1;
    private static final int AAAA = 28;

    private final DatagramSocket socket;
    /** Per name, the records of its first lookup, its second, ...: the last one answers every later lookup. */
    private final Map<String, List<List<byte[]>>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

    public TestDnsServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofPlatform().daemon().name("test-dns").start(this::serve);
    }

    /** {@code name} answers these addresses (IPv4 and IPv6 literals) to every lookup. */
    public TestDnsServer answer(String name, String... addresses) {
        answers.put(name, List.of(Arrays.stream(addresses).map(TestDnsServer::bytes).toList()));
        return this;
    }

    /** {@code name} answers {@code first} to its first lookup and {@code then} to every later one. */
    public TestDnsServer rebinding(String name, String first, String then) {
        answers.put(name, List.of(List.of(bytes(first)), List.of(bytes(then))));
        return this;
    }

    /** {@code host:port}, for {@code switchboard.tools.http.dns-server}. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** How many A queries {@code name} has had: one per resolution. */
    public int lookups(String name) {
        AtomicInteger count = lookups.get(name);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        socket.close();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                byte[] reply = reply(Arrays.copyOf(query.getData(), query.getLength()));
                socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private byte[] reply(byte[] query) {
        ByteBuffer in = ByteBuffer.wrap(query);
        short id = in.getShort();
        in.position(12);
        StringBuilder name = new StringBuilder();
        for (int length = in.get() & 0xff; length > 0; length = in.get() & 0xff) {
            byte[] label = new byte[length];
            in.get(label);
            name.append(name.isEmpty() ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = in.getShort() & 0xffff;
        in.getShort(); // class IN
        int questionEnd = in.position();
        String host = name.toString().toLowerCase(Locale.ROOT);
        List<List<byte[]>> table = answers.get(host);
        List<byte[]> records = List.of();
        if (table != null) {
            AtomicInteger count = lookups.computeIfAbsent(host, key -> new AtomicInteger());
            int lookup = type == A ? count.getAndIncrement() : Math.max(0, count.get() - 1);
            int size = type == A ? 4 : type == AAAA ? 16 : -1;
            records = table.get(Math.min(lookup, table.size() - 1)).stream().filter(record -> record.length == size).toList();
        }
        ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort(id);
        out.putShort((short) (table == null ? 0x8183 : 0x8180)); // a response, recursion available; NXDOMAIN if unknown
        out.putShort((short) 1).putShort((short) records.size()).putShort((short) 0).putShort((short) 0);
        out.put(query, 12, questionEnd - 12);
        for (byte[] record : records) {
            out.putShort((short) 0xc00c).putShort((short) type).putShort((short) 1).putInt(0)
                    .putShort((short) record.length).put(record);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** The record's bytes: an IPv6 literal stays 16 bytes, even one that maps an IPv4 address. */
    private static byte[] bytes(String literal) {
        try {
            InetAddress address = InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
            if (literal.contains(":") && address instanceof Inet4Address) {
                byte[] mapped = new byte[16];
                mapped[10] = mapped[11] = (byte) 0xff;
                System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
                return mapped;
            }
            return address.getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
