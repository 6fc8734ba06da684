package io.switchboard.store;

import io.switchboard.platform.web.ApiKeys;
import io.switchboard.platform.web.ManagedApiKeys;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tenants' managed API keys in the run store's database. A key is 32 random bytes (256 bits) in
 * URL-safe base64 after {@code sb_}, shown once, when it is made; only its SHA-256 is stored, with
 * its first characters as the prefix a listing shows. Rotating a key makes its successor and lets
 * the old one work until the overlap ends; revoking ends it at once.
 */
public class ApiKeyStore implements ManagedApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "sb_";
    private static final int SHOWN = 11;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    public ApiKeyStore(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** A key as listed: never the key or its hash. */
    public record Listed(String id, String prefix, Instant createdAt, Instant expiresAt, Instant revokedAt) {
    }

    /** A key just made: the only time {@code key} is shown. */
    public record Made(String id, String key, String prefix, Instant createdAt) {
    }

    public Made create(String tenantId) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        Made made = new Made("key_" + HexFormat.of().formatHex(id), key, key.substring(0, SHOWN),
                clock.instant().truncatedTo(ChronoUnit.MICROS));
        jdbc.update("INSERT INTO api_keys (id, tenant, prefix, sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                made.id(), tenantId, made.prefix(), ApiKeys.sha256(key), Timestamp.from(made.createdAt()));
        return made;
    }

    /** The tenant's keys, newest first, revoked ones included. */
    public List<Listed> list(String tenantId) {
        return jdbc.query("""
                SELECT id, prefix, created_at, expires_at, revoked_at FROM api_keys
                WHERE tenant = ? ORDER BY created_at DESC, id""",
                (row, i) -> new Listed(row.getString("id"), row.getString("prefix"), instant(row.getTimestamp("created_at")),
                        instant(row.getTimestamp("expires_at")), instant(row.getTimestamp("revoked_at"))), tenantId);
    }

    /**
     * Makes the key's successor and lets the key work for {@code overlap} more; empty if the tenant
     * has no such key that still works.
     */
    public Optional<Made> rotate(String tenantId, String id, Duration overlap) {
        return transactions.execute(status -> {
            Instant now = clock.instant();
            Timestamp until = Timestamp.from(now.plus(overlap));
            int rotated = jdbc.update("""
                    UPDATE api_keys SET expires_at = least(coalesce(expires_at, ?), ?)
                    WHERE tenant = ? AND id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)""",
                    until, until, tenantId, id, Timestamp.from(now));
            return rotated == 0 ? Optional.empty() : Optional.of(create(tenantId));
        });
    }

    /** Revokes the key now; the hash it had, if the tenant had such a key. */
    public Optional<String> revoke(String tenantId, String id) {
        List<String> hashes = jdbc.queryForList("""
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE tenant = ? AND id = ? RETURNING sha256""",
                String.class, Timestamp.from(clock.instant()), tenantId, id);
        return hashes.stream().findFirst();
    }

    @Override
    public Optional<String> tenantOf(String sha256) {
        return jdbc.queryForList("""
                SELECT tenant FROM api_keys
                WHERE sha256 = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)""",
                String.class, sha256, Timestamp.from(clock.instant())).stream().findFirst();
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
