package io.switchboard.tools.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/** Reading address literals without a lookup, and telling the addresses no outbound call may reach. */
final class Addresses {

    private static final byte[] BROADCAST = {-1, -1, -1, -1};
    private static final byte[] METADATA_V6 = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

    private Addresses() {
    }

    /** {@code a.b.c.d}, each part decimal from 0 to 255 without a leading zero; else null. */
    static InetAddress dottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || part.length() > 1 && part.charAt(0) == '0' || Integer.parseInt(part) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(part);
        }
        return address(null, bytes);
    }

    /** An IPv6 literal such as {@code fd00:ec2::254} or {@code ::ffff:10.0.0.1}, without brackets or zone; else null. */
    static InetAddress ipv6(String text) {
        if (text.isEmpty() || !text.contains(":") || !text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            return InetAddress.getByName("[" + text + "]"); // in brackets, only ever parsed: never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The address with {@code host} as its name; 16 bytes of an IPv4-mapped address make an IPv4 address. */
    static InetAddress address(String host, byte[] bytes) {
        try {
            return InetAddress.getByAddress(host, bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + Arrays.toString(bytes), e);
        }
    }

    /** Why no outbound call may reach {@code address} ("a private address", ...), or empty if it may. */
    static Optional<String> forbidden(InetAddress address) {
        byte[] bytes = address.getAddress();
        return Optional.ofNullable(bytes.length == 4 ? ipv4(bytes) : ipv6(bytes));
    }

    private static String ipv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0) {
            return "a 'this network' address (0.0.0.0/8)";
        } else if (first == 127) {
            return "a loopback address";
        } else if (first == 10 || first == 172 && (second & 0xf0) == 16 || first == 192 && second == 168) {
            return "a private address";
        } else if (first == 100 && (second & 0xc0) == 64) {
            return "a carrier-grade NAT address (100.64.0.0/10)";
        } else if (first == 169 && second == 254) {
            return (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254 ? "the cloud metadata address" : "a link-local address";
        } else if (first >= 224 && first <= 239) {
            return "a multicast address";
        } else if (first >= 240) {
            return Arrays.equals(b, BROADCAST) ? "the broadcast address" : "a reserved address (240.0.0.0/4)";
        }
        return null;
    }

    private static String ipv6(byte[] b) {
        if (zeros(b, 0, 16)) {
            return "the unspecified address";
        } else if (zeros(b, 0, 15) && b[15] == 1) {
            return "a loopback address";
        } else if (Arrays.equals(b, METADATA_V6)) {
            return "the cloud metadata address";
        } else if ((b[0] & 0xfe) == 0xfc) {
            return "a unique-local address (fc00::/7)";
        } else if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return "a link-local address";
        } else if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return "a site-local address";
        } else if ((b[0] & 0xff) == 0xff) {
            return "a multicast address";
        }
        byte[] embedded = embeddedIpv4(b);
        String why = embedded == null ? null : ipv4(embedded);
        return why == null ? null : "an IPv6 address embedding " + address(null, embedded).getHostAddress() + ", " + why;
    }

    /**
     * The IPv4 address inside an IPv4-compatible ({@code ::a.b.c.d}), -mapped ({@code ::ffff:a.b.c.d}), -translated
     * ({@code ::ffff:0:a.b.c.d}), NAT64 ({@code 64:ff9b::a.b.c.d}) or 6to4 ({@code 2002:aabb:ccdd::}) address.
     */
    private static byte[] embeddedIpv4(byte[] b) {
        boolean compatible = zeros(b, 0, 12);
        boolean mapped = zeros(b, 0, 10) && (b[10] & b[11] & 0xff) == 0xff;
        boolean translated = zeros(b, 0, 8) && (b[8] & b[9] & 0xff) == 0xff && zeros(b, 10, 12);
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && zeros(b, 4, 12);
        if (compatible || mapped || translated || nat64) {
            return Arrays.copyOfRange(b, 12, 16);
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            return Arrays.copyOfRange(b, 2, 6);
        }
        return null;
    }

    private static boolean zeros(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
