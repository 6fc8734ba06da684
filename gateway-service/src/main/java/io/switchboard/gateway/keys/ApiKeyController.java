package io.switchboard.gateway.keys;

import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.TenantDirectory;
import io.switchboard.store.ApiKeyStore;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API for tenants' managed API keys ({@code /v1/admin}, admin key only): make a key
 * (shown once), list them (prefix and times, never the key), rotate one with an overlap in which
 * both work, revoke one. Keys are for configured tenants; configured keys keep working beside them.
 */
@RestController
class ApiKeyController {

    private static final Pattern KEY_ID = Pattern.compile("key_[0-9a-f]{16}");
    private static final Duration DEFAULT_OVERLAP = Duration.ofHours(1);
    private static final Duration MAX_OVERLAP = Duration.ofDays(7);

    private final ApiKeyStore keys;
    private final TenantDirectory directory;
    private final PlatformProperties properties;

    ApiKeyController(ApiKeyStore keys, TenantDirectory directory, PlatformProperties properties) {
        this.keys = keys;
        this.directory = directory;
        this.properties = properties;
    }

    /** A rotation: how long the old key keeps working, in seconds (3,600 if not given, at most 7 days). */
    record Rotation(Long overlapSeconds) {
    }

    @PostMapping("/v1/admin/tenants/{tenant}/api-keys")
    ResponseEntity<ApiKeyStore.Made> create(@PathVariable String tenant) {
        ApiKeyStore.Made made = keys.create(configured(tenant));
        return ResponseEntity.created(URI.create("/v1/admin/tenants/" + tenant + "/api-keys/" + made.id())).body(made);
    }

    @GetMapping("/v1/admin/tenants/{tenant}/api-keys")
    Map<String, List<ApiKeyStore.Listed>> list(@PathVariable String tenant) {
        return Map.of("items", keys.list(configured(tenant)));
    }

    @PostMapping("/v1/admin/tenants/{tenant}/api-keys/{id}/rotate")
    ResponseEntity<ApiKeyStore.Made> rotate(@PathVariable String tenant, @PathVariable String id,
                                            @RequestBody(required = false) Rotation rotation) {
        Duration overlap = rotation == null || rotation.overlapSeconds() == null ? DEFAULT_OVERLAP
                : Duration.ofSeconds(rotation.overlapSeconds());
        if (overlap.isNegative() || overlap.compareTo(MAX_OVERLAP) > 0) {
            throw Problems.invalid("Invalid rotation", List.of(new Problems.FieldError("overlapSeconds",
                    "must be between 0 and " + MAX_OVERLAP.toSeconds())));
        }
        ApiKeyStore.Made made = keys.rotate(configured(tenant), key(id), overlap).orElseThrow(ApiKeyController::notFound);
        return ResponseEntity.created(URI.create("/v1/admin/tenants/" + tenant + "/api-keys/" + made.id())).body(made);
    }

    @DeleteMapping("/v1/admin/tenants/{tenant}/api-keys/{id}")
    ResponseEntity<Void> revoke(@PathVariable String tenant, @PathVariable String id) {
        String hash = keys.revoke(configured(tenant), key(id)).orElseThrow(ApiKeyController::notFound);
        directory.forget(hash);
        return ResponseEntity.noContent().build();
    }

    private String configured(String tenant) {
        if (!properties.tenants().containsKey(tenant)) {
            throw Problems.of(HttpStatus.NOT_FOUND, "Unknown tenant", "There is no configured tenant of that name.");
        }
        return tenant;
    }

    private static String key(String id) {
        if (!KEY_ID.matcher(id).matches()) {
            throw notFound();
        }
        return id;
    }

    private static RuntimeException notFound() {
        return Problems.of(HttpStatus.NOT_FOUND, "Unknown API key", "The tenant has no such API key.");
    }
}
