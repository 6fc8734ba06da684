package io.switchboard.platform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The geometry of a Bloom filter: how many bits for how many items at what false-positive rate,
 * and which bits an item sets. The bits themselves live in Redis, where every instance of a
 * consumer shares them.
 *
 * @param bits   size of the bit array (m)
 * @param hashes bits set per item (k)
 */
record BloomFilter(long bits, int hashes) {

    /** Sized for {@code capacity} items at false-positive rate {@code rate}: m = -n ln p / (ln 2)^2, k = m/n ln 2. */
    static BloomFilter sizedFor(long capacity, double rate) {
        long bits = (long) Math.ceil(-capacity * Math.log(rate) / (Math.log(2) * Math.log(2)));
        int hashes = Math.max(1, (int) Math.round((double) bits / capacity * Math.log(2)));
        return new BloomFilter(bits, hashes);
    }

    /** The item's bit offsets, by double hashing the two halves of its SHA-256. */
    long[] offsets(String item) {
        ByteBuffer digest = ByteBuffer.wrap(sha256(item));
        long h1 = digest.getLong();
        long h2 = digest.getLong();
        long[] offsets = new long[hashes];
        for (int i = 0; i < hashes; i++) {
            offsets[i] = Math.floorMod(h1 + i * h2, bits);
        }
        return offsets;
    }

    private static byte[] sha256(String item) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(item.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
