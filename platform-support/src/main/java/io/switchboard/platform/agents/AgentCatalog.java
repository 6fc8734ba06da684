package io.switchboard.platform.agents;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The agents this platform runs, read from YAML ({@code agents: [...]}). */
public final class AgentCatalog {

    /** The catalog that ships with the platform. */
    public static final String DEFAULT_LOCATION = "switchboard/agents.yml";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final Map<String, AgentDefinition> agents;

    private AgentCatalog(List<AgentDefinition> agents) {
        this.agents = new LinkedHashMap<>();
        agents.forEach(agent -> this.agents.put(agent.name(), agent));
    }

    public static AgentCatalog read(InputStream yaml) {
        try (yaml) {
            return new AgentCatalog(YAML.readValue(yaml, Document.class).agents());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static AgentCatalog readDefault() {
        InputStream yaml = AgentCatalog.class.getClassLoader().getResourceAsStream(DEFAULT_LOCATION);
        if (yaml == null) {
            throw new IllegalStateException(DEFAULT_LOCATION + " is not on the classpath");
        }
        return read(yaml);
    }

    public Optional<AgentDefinition> find(String name) {
        return Optional.ofNullable(agents.get(name));
    }

    public List<AgentDefinition> all() {
        return List.copyOf(agents.values());
    }

    private record Document(List<AgentDefinition> agents) {
    }
}
