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

/** The agents this platform runs and the prompt templates they use, read from YAML ({@code agents: [...]}, {@code prompts: [...]}). */
public final class AgentCatalog {

    /** The catalog that ships with the platform. */
    public static final String DEFAULT_LOCATION = "switchboard/agents.yml";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final Map<String, AgentDefinition> agents;
    private final List<PromptTemplate> prompts;

    private AgentCatalog(List<AgentDefinition> agents, List<PromptTemplate> prompts) {
        this.agents = new LinkedHashMap<>();
        agents.forEach(agent -> this.agents.put(agent.name(), agent));
        this.prompts = prompts == null ? List.of() : List.copyOf(prompts);
    }

    public static AgentCatalog read(InputStream yaml) {
        try (yaml) {
            Document document = YAML.readValue(yaml, Document.class);
            return new AgentCatalog(document.agents(), document.prompts());
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

    /**
     * Whether the runs of an agent of this name are embedded to be found by meaning: as the
     * catalog says for its agents, always for an agent a tenant defined (a model agent, whose runs
     * are conversations).
     */
    public boolean searchedByMeaning(String name) {
        return find(name).map(AgentDefinition::searchByMeaning).orElse(true);
    }

    public List<AgentDefinition> all() {
        return List.copyOf(agents.values());
    }

    /** The template {@code reference} names: {@code <name>@<version>}, or {@code <name>} for its highest version. */
    public Optional<PromptTemplate> prompt(String reference) {
        int at = reference.lastIndexOf('@');
        String name = at < 0 ? reference : reference.substring(0, at);
        return prompts.stream().filter(prompt -> prompt.name().equals(name))
                .filter(prompt -> at < 0 || String.valueOf(prompt.version()).equals(reference.substring(at + 1)))
                .max(java.util.Comparator.comparingInt(PromptTemplate::version));
    }

    private record Document(List<AgentDefinition> agents, List<PromptTemplate> prompts) {
    }
}
