package io.switchboard.platform.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentCatalogTest {

    private final AgentCatalog catalog = AgentCatalog.readDefault();

    @Test
    void theShippedCatalogHasTheFixedAndTheModelAgents() {
        assertThat(catalog.all()).extracting(AgentDefinition::name)
                .containsExactly("calculator", "research", "notes", "assistant", "researcher");
        assertThat(catalog.all()).filteredOn(AgentDefinition::modelDriven).extracting(AgentDefinition::name)
                .containsExactly("assistant", "researcher");
    }

    @Test
    void aModelAgentTakesAMessageAndMayUseOnlyItsOwnTools() {
        AgentDefinition assistant = catalog.find("assistant").orElseThrow();

        assertThat(assistant.model()).isEqualTo("default");
        assertThat(assistant.tools()).containsExactly("math.eval", "http.fetch", "text.summarize", "session.notes", "retrieval.search");
        assertThat(assistant.maxSteps()).isEqualTo(6);
        assertThat(assistant.input().get("message").required()).isTrue();
        assertThat(assistant.steps()).isEmpty();
    }

    @Test
    void aPromptTemplateIsFoundByNameAndVersionAndRenderedWithTheRunsInput() {
        AgentDefinition researcher = catalog.find("researcher").orElseThrow();

        PromptTemplate prompt = catalog.prompt(researcher.prompt()).orElseThrow();

        assertThat(prompt.version()).isEqualTo(1);
        assertThat(catalog.prompt("researcher")).hasValue(prompt);
        assertThat(catalog.prompt("researcher@2")).isEmpty();
        assertThat(prompt.render(Map.of("message", "Why is the sky blue?")))
                .startsWith("You are a careful researcher.").endsWith("The question: Why is the sky blue?");
    }

    @Test
    void researchIsTwoStepsWhereTheSecondSummarizesWhatTheFirstFetched() {
        AgentDefinition research = catalog.find("research").orElseThrow();

        assertThat(research.steps()).extracting(StepDefinition::tool).containsExactly("http.fetch", "text.summarize");
        assertThat(research.step(2).forEach()).isEqualTo("previous.succeeded");
        assertThat(research.isFinalStep(2)).isTrue();
        assertThat(research.deadline()).isEqualTo(Duration.ofSeconds(120));
        assertThat(research.input().get("urls").maxItems()).isEqualTo(5);
    }

    @Test
    void notesNeedsRememberOrRecall() {
        assertThat(catalog.find("notes").orElseThrow().requireOneOf()).containsExactly("remember", "recall");
        assertThat(catalog.find("unknown")).isEmpty();
    }
}
