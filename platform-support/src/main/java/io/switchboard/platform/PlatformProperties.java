package io.switchboard.platform;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;
import org.springframework.util.unit.DataSize;

/**
 * What every service configures the same way, under {@code switchboard}; a concern of one service
 * has a prefix of its own below it ({@code switchboard.planning}, {@code switchboard.budgets}, …).
 *
 * @param tenants the tenants by id: their API keys, and optionally their own rate limit, token
 *                budgets and feature flags. In production this comes from a Secret.
 * @param admin   the operators' API keys for {@code /v1/admin}, which are no tenant's
 * @param models  the model providers by name; agents name one ({@code default} unless more are
 *                configured). {@code default} is set by {@code SWITCHBOARD_MODEL_BASE_URL},
 *                {@code SWITCHBOARD_MODEL_API_KEY} and {@code SWITCHBOARD_MODEL}.
 */
@ConfigurationProperties("switchboard")
public record PlatformProperties(
        @DefaultValue Kafka kafka,
        @DefaultValue Runs runs,
        @DefaultValue Memcached memcached,
        @DefaultValue Agents agents,
        @DefaultValue Tasks tasks,
        @DefaultValue Dedupe dedupe,
        @DefaultValue Metrics metrics,
        @DefaultValue FairShare fairShare,
        Map<String, Tenant> tenants,
        @DefaultValue Admin admin,
        Map<String, ModelProvider> models) {

    public PlatformProperties {
        tenants = tenants == null ? Map.of() : tenants;
        models = models == null ? Map.of() : models;
    }

    /**
     * An OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI-compatible, Ollama,
     * vLLM, LiteLLM, …).
     *
     * @param baseUrl           up to and with {@code /v1}, e.g. {@code https://api.openai.com/v1}
     * @param apiKey            sent as a bearer token; empty for a server that wants none
     * @param model             the model's name at the provider
     * @param requestsPerMinute calls per minute all workers together make at most with this key
     * @param tokensPerMinute   tokens per minute (prompt and completion) all workers together use at most
     * @param timeout           the longest one call may take, streaming included
     * @param promptPrice       the price of a million prompt tokens, for the cost {@code /v1/usage} shows
     * @param completionPrice   the price of a million completion tokens
     * @param concurrentCalls   calls one worker has open with this provider at once, at most
     */
    public record ModelProvider(
            String baseUrl,
            String apiKey,
            String model,
            @DefaultValue("500") int requestsPerMinute,
            @DefaultValue("200000") long tokensPerMinute,
            @DefaultValue("60s") Duration timeout,
            @DefaultValue("0") double promptPrice,
            @DefaultValue("0") double completionPrice,
            @DefaultValue("200") int concurrentCalls) {

        /** What is missing before this provider can be called, or empty if nothing is. */
        public Optional<String> missing(String name) {
            List<String> missing = missingSettings(name);
            return missing.isEmpty() ? Optional.empty()
                    : Optional.of("model provider '" + name + "' is not configured: set " + String.join(" and ", missing));
        }

        /** The settings (environment variables for {@code default}) still to be set; empty if none. */
        public List<String> missingSettings(String name) {
            List<String> missing = new java.util.ArrayList<>();
            if (baseUrl == null || baseUrl.isBlank()) {
                missing.add(name.equals("default") ? "SWITCHBOARD_MODEL_BASE_URL" : "switchboard.models." + name + ".base-url");
            }
            if (model == null || model.isBlank()) {
                missing.add(name.equals("default") ? "SWITCHBOARD_MODEL" : "switchboard.models." + name + ".model");
            }
            return List.copyOf(missing);
        }
    }

    /** Why agents of {@code provider} cannot run here, or empty if they can. */
    public Optional<String> modelUnavailable(String provider) {
        return modelProvider(provider).missing(provider);
    }

    /** The settings still to be set before agents of {@code provider} can run here; empty if none. */
    public List<String> modelSettingsMissing(String provider) {
        return modelProvider(provider).missingSettings(provider);
    }

    /** The provider that serves {@code model} (its {@code model} setting), for the model's prices. */
    public Optional<ModelProvider> providerOf(String model) {
        return models.values().stream().filter(provider -> model.equals(provider.model())).findFirst();
    }

    private ModelProvider modelProvider(String name) {
        return models.getOrDefault(name, new ModelProvider(null, null, null, 0, 0, null, 0, 0, 0));
    }

    /**
     * @param apiKeySha256 the SHA-256 hashes (hex) of the tenant's API keys; several let a key
     *                     rotate without downtime
     * @param rateLimit    how many runs the tenant may create; without it the platform default applies
     * @param budget       token budgets; the platform's ({@code switchboard.budgets}) where unset
     * @param flags        feature flags; everything allowed where unset
     */
    public record Tenant(List<String> apiKeySha256, RateLimit rateLimit, Budget budget, Flags flags) {

        public static final Tenant UNCONFIGURED = new Tenant(null, null, null, null);

        public Tenant {
            apiKeySha256 = apiKeySha256 == null ? List.of() : apiKeySha256;
            budget = budget == null ? new Budget(null, null) : budget;
            flags = flags == null ? new Flags(null, null) : flags;
        }
    }

    /** @param apiKeySha256 the SHA-256 hashes (hex) of the admin keys; without any, every admin request is refused */
    public record Admin(List<String> apiKeySha256) {

        public Admin {
            apiKeySha256 = apiKeySha256 == null ? List.of() : apiKeySha256;
        }
    }

    /**
     * @param runs   runs the tenant may create in any {@code window}; unset takes the platform default
     * @param window the sliding window, in whole seconds; unset takes the platform default
     * @param reads  reads (GET) the tenant may make in any {@code switchboard.rate-limit.read-window};
     *               unset takes the platform default
     */
    public record RateLimit(Integer runs, Duration window, Integer reads) {
    }

    /** Tokens a tenant may use per UTC day, and one run at most. */
    public record Budget(Long tokensPerDay, Long tokensPerRun) {
    }

    /**
     * @param agents             agents switched on ({@code true}) or off ({@code false}) for the tenant
     * @param backgroundPriority whether the tenant may start runs with {@code priority: background}
     */
    public record Flags(Map<String, Boolean> agents, Boolean backgroundPriority) {

        public Flags {
            agents = agents == null ? Map.of() : agents;
            backgroundPriority = backgroundPriority == null || backgroundPriority;
        }
    }

    /**
     * @param partitions  partitions of each topic created at start-up
     * @param replicas    replication factor of those topics
     * @param retention   how long topics keep records, long enough to replay
     * @param sendTimeout how long a publisher waits for Kafka's acknowledgement
     * @param outagePatience how long a listener keeps retrying a record while Redis, RabbitMQ or
     *                       Kafka is unreachable before the record is dead-lettered
     */
    public record Kafka(
            @DefaultValue("6") int partitions,
            @DefaultValue("1") short replicas,
            @DefaultValue("7d") Duration retention,
            @DefaultValue("10s") Duration sendTimeout,
            @DefaultValue("15m") Duration outagePatience) {
    }

    /**
     * @param bloomCapacity          events per consumer and retention period the Bloom filter is
     *                               sized for; past it the filter answers "maybe seen" more often
     *                               and the exact check does more of the work
     * @param bloomFalsePositiveRate the filter's false-positive rate at that capacity
     */
    public record Dedupe(@DefaultValue("1000000") long bloomCapacity, @DefaultValue("0.01") double bloomFalsePositiveRate) {
    }

    /**
     * @param retention      how long Redis keeps a run's events until the run store has them (then
     *                       {@code switchboard.store.live-retention}), and the dead letters
     * @param stateRetention how long Redis keeps a run's working state (the planner's and the
     *                       composer's, its token counts, recorded model replies) and the
     *                       de-duplication marks of consumed events: longer than any run lasts and
     *                       any redelivery comes
     * @param inlineOutput   a tool's output larger than this (as JSON) is kept aside in Redis, and
     *                       the run's events carry a reference to it, so no record nears Kafka's limit
     */
    public record Runs(@DefaultValue("7d") Duration retention, @DefaultValue("1h") Duration stateRetention,
                       @DefaultValue("64KB") DataSize inlineOutput) {
    }

    /**
     * @param servers {@code host:port host:port ...}; without it a service has no read-through cache
     * @param ttl     how long a cached value is fresh; Memcached keeps it as long again, served while it is reloaded
     */
    public record Memcached(String servers, @DefaultValue("5m") Duration ttl, @DefaultValue("200ms") Duration timeout) {
    }

    /** @param confirmTimeout how long a sender waits for RabbitMQ to confirm a task it sent */
    public record Tasks(@DefaultValue("10s") Duration confirmTimeout) {
    }

    /**
     * The tenants' shares of the interactive lane ({@link InteractiveShare}).
     *
     * @param window      how long a tenant that sent interactive work counts among the others
     * @param minimumRuns interactive runs in flight below which a tenant is never over its share
     * @param factor      how many times as many runs in flight as any other tenant a tenant may have
     */
    public record FairShare(@DefaultValue("10s") Duration window, @DefaultValue("5") long minimumRuns,
                            @DefaultValue("2") double factor) {
    }

    /** @param maxTenants tenants that get their own series in metrics tagged by tenant; the rest are {@code other} */
    public record Metrics(@DefaultValue("100") int maxTenants) {
    }

    /**
     * @param catalog the agent catalog (YAML)
     * @param tenants what an agent a tenant defines may ask for, at most
     */
    public record Agents(@DefaultValue("classpath:switchboard/agents.yml") Resource catalog,
                         @DefaultValue TenantAgentLimits tenants) {
    }

    /**
     * The caps of agents tenants define through the API.
     *
     * @param perTenant    agents one tenant may define
     * @param instructions characters of an agent's instructions
     */
    public record TenantAgentLimits(
            @DefaultValue("50") int perTenant,
            @DefaultValue("16") int maxSteps,
            @DefaultValue("64") int maxTasks,
            @DefaultValue("8") int maxFanOut,
            @DefaultValue("4096") int maxOutputTokens,
            @DefaultValue("20000") int toolResultLimit,
            @DefaultValue("8000") int memoryTokens,
            @DefaultValue("100000") long tokens,
            @DefaultValue("10m") Duration deadline,
            @DefaultValue("20000") int instructions) {
    }
}
