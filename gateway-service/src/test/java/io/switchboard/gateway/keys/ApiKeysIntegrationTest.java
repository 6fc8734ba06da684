package io.switchboard.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.EventCodec;
import io.switchboard.platform.web.ApiKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Managed API keys through the admin API, on the real PostgreSQL: a key made for a tenant opens its
 * API at once and is never shown again, only its SHA-256 is stored, a rotated key works beside its
 * successor for the overlap, a revoked one stops, and authenticating does not ask the database each time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class ApiKeysIntegrationTest {

    private static final String ADMIN = "admin-dev-key";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aManagedKeyIsShownOnceStoredAsAHashAndOpensOnlyItsTenantsApi() throws Exception {
        HttpResponse<String> created = send(ADMIN, "POST", "/v1/admin/tenants/globex/api-keys");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode made = json(created);
        String key = made.get("key").asString();
        String id = made.get("id").asString();

        assertThat(key).startsWith("sb_").hasSize(46);
        assertThat(made.get("prefix").asString()).isEqualTo(key.substring(0, 11));
        assertThat(jdbc.queryForObject("SELECT sha256 FROM api_keys WHERE id = ?", String.class, id)).isEqualTo(ApiKeys.sha256(key));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_keys WHERE ? IN (id, tenant, prefix, sha256)", Long.class, key))
                .as("the key itself is stored nowhere").isZero();
        assertThat(send(key, "GET", "/v1/agents").statusCode()).isEqualTo(200);
        assertThat(send(key, "GET", "/v1/admin/tenants/globex/api-keys").statusCode()).as("a tenant key is no admin key").isEqualTo(401);

        String listing = send(ADMIN, "GET", "/v1/admin/tenants/globex/api-keys").body();
        assertThat(listing).contains(id, made.get("prefix").asString()).doesNotContain(key);
        assertThat(send(ADMIN, "GET", "/v1/admin/tenants/nobody/api-keys").statusCode()).isEqualTo(404);
        assertThat(send(ADMIN, "DELETE", "/v1/admin/tenants/acme/api-keys/" + id).statusCode())
                .as("another tenant's key id").isEqualTo(404);
    }

    @Test
    void authenticatingAsksTheDatabaseOnceNotPerRequest() throws Exception {
        String key = json(send(ADMIN, "POST", "/v1/admin/tenants/globex/api-keys")).get("key").asString();
        double before = lookups();

        for (int i = 0; i < 50; i++) {
            assertThat(send(key, "GET", "/v1/agents").statusCode()).isEqualTo(200);
        }

        assertThat(lookups() - before).isEqualTo(1);
    }

    @Test
    void aRotatedKeyWorksThroughItsOverlapBesideItsSuccessorAndARevokedKeyStops() throws Exception {
        JsonNode first = json(send(ADMIN, "POST", "/v1/admin/tenants/globex/api-keys"));
        String old = first.get("key").asString();

        JsonNode successor = json(send(ADMIN, "POST", "/v1/admin/tenants/globex/api-keys/" + first.get("id").asString() + "/rotate",
                "{\"overlapSeconds\": 3600}"));
        String next = successor.get("key").asString();

        assertThat(next).isNotEqualTo(old);
        assertThat(send(old, "GET", "/v1/agents").statusCode()).as("the old key within the overlap").isEqualTo(200);
        assertThat(send(next, "GET", "/v1/agents").statusCode()).isEqualTo(200);
        assertThat(send(ADMIN, "GET", "/v1/admin/tenants/globex/api-keys").body()).contains("\"expiresAt\":\"");

        assertThat(send(ADMIN, "DELETE", "/v1/admin/tenants/globex/api-keys/" + first.get("id").asString()).statusCode()).isEqualTo(204);
        assertThat(send(old, "GET", "/v1/agents").statusCode()).as("revoked").isEqualTo(401);
        assertThat(send(next, "GET", "/v1/agents").statusCode()).isEqualTo(200);

        JsonNode ended = json(send(ADMIN, "POST", "/v1/admin/tenants/globex/api-keys/" + successor.get("id").asString() + "/rotate",
                "{\"overlapSeconds\": 0}"));
        assertThat(ended.get("key").asString()).startsWith("sb_");
        assertThat(send(ADMIN, "POST", "/v1/admin/tenants/globex/api-keys/" + first.get("id").asString() + "/rotate").statusCode())
                .as("a revoked key is not rotated").isEqualTo(404);
    }

    private double lookups() {
        return meters.get("switchboard.apikeys.lookups").counter().count();
    }

    private HttpResponse<String> send(String key, String method, String path) throws Exception {
        return send(key, method, path, null);
    }

    private HttpResponse<String> send(String key, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventCodec.mapper().readTree(response.body());
    }
}
