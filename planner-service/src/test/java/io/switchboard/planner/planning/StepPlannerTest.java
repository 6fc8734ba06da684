package io.switchboard.planner.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.platform.agents.AgentCatalog;
import io.switchboard.platform.agents.AgentDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepPlannerTest {

    private final AgentCatalog catalog = AgentCatalog.readDefault();
    private final StepPlanner planner = new StepPlanner(50, 200);

    @Test
    void calculatorFansOutOneMathTaskPerExpression() {
        List<PlannedStep.Call> calls = planner.plan(agent("calculator"), 1,
                Map.of("expressions", List.of("2+2", "sqrt(16)*3")), List.of(), 0);

        assertThat(calls).containsExactly(
                new PlannedStep.Call("math.eval", Map.of("expression", "2+2")),
                new PlannedStep.Call("math.eval", Map.of("expression", "sqrt(16)*3")));
    }

    @Test
    void researchSummarizesOnlyThePagesThatWereFetched() {
        Map<String, Object> input = Map.of("urls", List.of("http://a/1", "http://a/2"), "question", "Why?");
        List<ToolOutcome> fetched = List.of(
                fetch(0, ToolStatus.SUCCEEDED, Map.of("url", "http://a/1", "text", "Because.")),
                fetch(1, ToolStatus.FAILED, null));

        List<PlannedStep.Call> calls = planner.plan(agent("research"), 2, input, fetched, 0);

        assertThat(calls).containsExactly(new PlannedStep.Call("text.summarize",
                Map.of("source", "http://a/1", "text", "Because.", "question", "Why?")));
    }

    @Test
    void notesPassesOnlyTheGivenArguments() {
        List<PlannedStep.Call> calls = planner.plan(agent("notes"), 1, Map.of("recall", "port"), List.of(), 0);

        assertThat(calls).containsExactly(new PlannedStep.Call("session.notes", Map.of("recall", "port")));
    }

    @Test
    void aStepBeyondItsFanOutCapIsRefusedNotCutShort() {
        List<String> urls = List.of("http://a/1", "http://a/2", "http://a/3", "http://a/4", "http://a/5", "http://a/6");

        assertThatThrownBy(() -> planner.plan(agent("research"), 1, Map.of("urls", urls, "question", "q"), List.of(), 0))
                .isInstanceOf(PlanRefusedException.class)
                .hasMessage("step 1 (fetch) would fan out to 6 tasks; the cap for agent research is 5");
    }

    @Test
    void thePlatformCapBindsAgentsThatAllowMore() {
        List<String> expressions = List.of("1", "2", "3");

        assertThatThrownBy(() -> new StepPlanner(2, 200).plan(agent("calculator"), 1, Map.of("expressions", expressions), List.of(), 0))
                .isInstanceOf(PlanRefusedException.class)
                .hasMessageContaining("the cap for agent calculator is 2");
    }

    @Test
    void aStepThatWouldTakeTheRunBeyondItsTaskCapIsRefused() {
        List<ToolOutcome> fetched = List.of(fetch(0, ToolStatus.SUCCEEDED, Map.of("url", "http://a", "text", "A")),
                fetch(1, ToolStatus.SUCCEEDED, Map.of("url", "http://b", "text", "B")));
        Map<String, Object> input = Map.of("urls", List.of("http://a", "http://b"), "question", "q");

        assertThat(planner.plan(agent("research"), 2, input, fetched, 8)).hasSize(2);
        assertThatThrownBy(() -> planner.plan(agent("research"), 2, input, fetched, 9))
                .isInstanceOf(PlanRefusedException.class)
                .hasMessage("step 2 (summarize) would bring the run to 11 tasks; the cap per run for agent research is 10");
        assertThatThrownBy(() -> new StepPlanner(50, 4).plan(agent("research"), 2, input, fetched, 3))
                .hasMessageContaining("the cap per run for agent research is 4");
    }

    @Test
    void templatesKeepTypesWholeAndInterpolateInsideText() {
        Map<String, Object> scope = Map.of("input", Map.of("n", 3, "name", "x"), "item", List.of("a", "b"));

        assertThat(ArgumentTemplate.resolve("${input.n}", scope)).isEqualTo(3);
        assertThat(ArgumentTemplate.resolve("${input.name}-${item.1}", scope)).isEqualTo("x-b");
        assertThat(ArgumentTemplate.resolve("${input.missing}", scope)).isNull();
    }

    private AgentDefinition agent(String name) {
        return catalog.find(name).orElseThrow();
    }

    private static ToolOutcome fetch(int index, ToolStatus status, Map<String, Object> output) {
        return new ToolOutcome("run.s1.t" + index, "http.fetch", index, Map.of("url", "http://a/" + (index + 1)),
                status, output, status == ToolStatus.FAILED ? "GET answered 404" : null, 1, 5, false);
    }
}
