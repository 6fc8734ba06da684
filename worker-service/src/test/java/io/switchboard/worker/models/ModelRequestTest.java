package io.switchboard.worker.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.tools.ToolFailure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelRequestTest {

    @Test
    void toolNamesBecomeWhatProvidersAcceptAndComeBackThroughTheTasksOwnTools() {
        ModelRequest request = ModelRequest.from(Map.of("messages", List.of(Map.of("role", "user", "content", "hi")),
                "tools", List.of(Map.of("name", "math.eval", "description", "Evaluates"),
                        Map.of("name", "acme/search v2", "description", "Searches"))));

        ModelRequest.ToolNames names = request.toolNames();

        assertThat(names.providerNames()).containsExactly("math_eval", "acme_search_v2");
        assertThat(names.platformName("math_eval")).isEqualTo("math.eval");
        assertThat(names.platformName("acme_search_v2")).isEqualTo("acme/search v2");
        assertThat(names.platformName("invented_tool")).isEqualTo("invented_tool");
        assertThat(ModelRequest.ToolNames.providerName("t".repeat(80))).hasSize(64);
    }

    @Test
    void aCallReservesItsMaxTokensAndATokenForEveryFourCharactersOfItsPrompt() {
        Map<String, Object> args = Map.of("provider", "default", "maxTokens", 300,
                "messages", List.of(Map.of("role", "system", "content", "a".repeat(100)), Map.of("role", "user", "content", "b".repeat(300))));

        assertThat(ModelRequest.reservation(args)).isEqualTo(300 + 100);
    }

    @Test
    void withoutMaxTokensAnAnswerMayTake1024TokensFromTheDefaultProvider() {
        ModelRequest request = ModelRequest.from(Map.of("messages", List.of(Map.of("role", "user", "content", "hi"))));

        assertThat(request.maxTokens()).isEqualTo(1024);
        assertThat(request.provider()).isEqualTo("default");
        assertThat(request.tools()).isEmpty();
    }

    @Test
    void argumentsThatAreNotAModelCallFailForGood() {
        assertThatThrownBy(() -> ModelRequest.from(Map.of("messages", List.of())))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse())
                .hasMessage("a model call needs at least one message");
        assertThatThrownBy(() -> ModelRequest.from(Map.of("messages", "hello")))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse());
        assertThat(ModelRequest.reservation(Map.of("messages", "hello"))).isZero();
    }
}
