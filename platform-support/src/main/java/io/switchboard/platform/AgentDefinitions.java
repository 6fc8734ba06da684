package io.switchboard.platform;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TenantMcpServer;
import io.switchboard.events.ToolDescription;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.agents.AgentCatalog;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.PromptTemplate;
import io.switchboard.platform.agents.TenantAgent;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Agent definitions and prompt templates: the platform's, from its catalog, and those a tenant
 * defined, kept durably in Redis (one hash per tenant). Both are read through Memcached; a tenant's
 * change drops its cached entry, so the next run uses it. Platform names are the platform's: a
 * tenant cannot define an agent of that name. A key's version changes with the shape of what
 * Memcached holds for it.
 */
public class AgentDefinitions {

    /** What an agent may be called: a name checked before it is looked up, logged or made a cache key. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /**
     * KEYS: the tenant's agents, their versions. ARGV: the name, the definition as a JSON object
     * without its version. Stores it as the name's next version and returns that version.
     */
    private static final RedisScript<Long> PUT = RedisScript.of("""
            local version = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
            redis.call('HSET', KEYS[1], ARGV[1], '{"version":' .. version .. ',' .. string.sub(ARGV[2], 2))
            return version
            """, Long.class);

    private final ReadThroughCache cache;
    private final AgentCatalog catalog;
    private final StringRedisTemplate redis;

    AgentDefinitions(ReadThroughCache cache, AgentCatalog catalog, StringRedisTemplate redis) {
        this.cache = cache;
        this.catalog = catalog;
        this.redis = redis;
    }

    /** A platform agent. */
    public Optional<AgentDefinition> find(String name) {
        if (catalog.find(name).isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(cache.get("sb:agent:v8:" + name, AgentDefinition.class,
                () -> catalog.find(name).orElse(null)));
    }

    /** The agent a tenant runs under this name: the platform's, or one the tenant defined. */
    public Optional<AgentDefinition> find(String tenantId, String name) {
        return resolve(tenantId, name, 0).map(Resolved::definition);
    }

    /**
     * The agent a tenant runs under this name, with its version (0 for the platform's). A tenant's
     * agent is read from Redis itself when the cached one is older than {@code atLeast}: a run
     * accepted with a version is never planned with an earlier one.
     */
    public Optional<Resolved> resolve(String tenantId, String name, int atLeast) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        if (isPlatform(name)) {
            return find(name).map(definition -> new Resolved(definition, 0));
        }
        Optional<TenantAgent> agent = tenantAgent(tenantId, name);
        if (agent.isPresent() && agent.get().version() < atLeast) {
            cache.evict(cacheKey(tenantId, name));
            agent = stored(tenantId, name);
        }
        return agent.map(found -> new Resolved(found.definition(), found.version()));
    }

    /** An agent and the version of its definition: 0 for the platform's, from 1 for a tenant's. */
    public record Resolved(AgentDefinition definition, int version) {
    }

    /** Whether the platform's catalog has an agent of this name: such a name is the platform's, read-only. */
    public boolean isPlatform(String name) {
        return catalog.find(name).isPresent();
    }

    /** An agent the tenant defined. */
    public Optional<TenantAgent> tenantAgent(String tenantId, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.ofNullable(cache.get(cacheKey(tenantId, name), TenantAgent.class, () -> stored(tenantId, name).orElse(null)));
    }

    private Optional<TenantAgent> stored(String tenantId, String name) {
        Object json = redis.opsForHash().get(RedisKeys.tenantAgents(tenantId), name);
        return Optional.ofNullable(json).map(found -> EventCodec.mapper().readValue(found.toString(), TenantAgent.class));
    }

    /** The agents the tenant defined, by name. */
    public List<TenantAgent> tenantAgents(String tenantId) {
        return redis.<String, String>opsForHash().values(RedisKeys.tenantAgents(tenantId)).stream()
                .map(json -> EventCodec.mapper().readValue(json, TenantAgent.class))
                .sorted(Comparator.comparing(agent -> agent.definition().name()))
                .toList();
    }

    /** How many agents the tenant has defined. */
    public long tenantAgentCount(String tenantId) {
        return redis.opsForHash().size(RedisKeys.tenantAgents(tenantId));
    }

    /** Stores the definition as the next version of its name; the next run of it uses this one. */
    public TenantAgent define(String tenantId, AgentDefinition definition) {
        if (isPlatform(definition.name())) {
            throw new IllegalArgumentException("'" + definition.name() + "' is a platform agent");
        }
        Instant now = Instant.now();
        long version = redis.execute(PUT, List.of(RedisKeys.tenantAgents(tenantId), RedisKeys.tenantAgentVersions(tenantId)),
                definition.name(), EventCodec.mapper().writeValueAsString(new Unversioned(now, definition)));
        cache.evict(cacheKey(tenantId, definition.name()));
        return new TenantAgent((int) version, now, definition);
    }

    /** Removes an agent the tenant defined; false if there was none. */
    public boolean remove(String tenantId, String name) {
        boolean removed = redis.opsForHash().delete(RedisKeys.tenantAgents(tenantId), name) > 0;
        cache.evict(cacheKey(tenantId, name));
        return removed;
    }

    /** The tools an agent may name: those the workers published to the shared catalog, model calls aside, by name. */
    public List<ToolDescription> publishedTools() {
        return redis.<String, String>opsForHash().values(RedisKeys.TOOL_CATALOG).stream()
                .map(json -> EventCodec.mapper().readValue(json, ToolDescription.class))
                .filter(tool -> !tool.name().equals(ToolTask.MODEL_CALL))
                .sorted(Comparator.comparing(ToolDescription::name))
                .toList();
    }

    /** The tools a tenant's agent may name: the published ones and those of the MCP servers the tenant registered. */
    public List<ToolDescription> tools(String tenantId) {
        return Stream.concat(publishedTools().stream(), redis.<String, String>opsForHash().values(RedisKeys.tenantMcpServers(tenantId))
                        .stream().flatMap(json -> EventCodec.mapper().readValue(json, TenantMcpServer.class).tools().stream()))
                .sorted(Comparator.comparing(ToolDescription::name))
                .toList();
    }

    /** A prompt template, {@code <name>@<version>} or {@code <name>} for its highest version. */
    public Optional<PromptTemplate> prompt(String reference) {
        return Optional.ofNullable(cache.get("sb:prompt:v1:" + reference, PromptTemplate.class,
                () -> catalog.prompt(reference).orElse(null)));
    }

    /** The platform's agents. */
    public List<AgentDefinition> all() {
        return cache.get("sb:agents:v7", Listing.class, () -> new Listing(catalog.all())).agents();
    }

    private static String cacheKey(String tenantId, String name) {
        return "sb:" + tenantId + ":agent:v1:" + name;
    }

    record Listing(List<AgentDefinition> agents) {
    }

    /** A {@link TenantAgent} before the script gives it its version. */
    private record Unversioned(Instant updatedAt, AgentDefinition definition) {
    }
}
