package io.switchboard.platform.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentCatalogTest {

    private final AgentCatalog catalog = AgentCatalog.readDefault();

    @Test
    void theShippedCatalogHasTheThreeAgents() {
        assertThat(catalog.all()).extracting(AgentDefinition::name).containsExactly("calculator", "research", "notes");
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
