package io.switchboard.gateway.agents;

import static io.switchboard.gateway.web.GatewaySlice.ACME;
import static io.switchboard.gateway.web.GatewaySlice.problem;
import static org.hamcrest.Matchers.contains;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.switchboard.gateway.web.GatewaySlice;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.InputField;
import io.switchboard.platform.agents.StepDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The agent list as a client reads it before creating a run: each agent's input and the tools it
 * uses, and for a model agent its provider and whether it can run here. The provider
 * {@code default} is left unconfigured, {@code local} is configured.
 */
@WebMvcTest(controllers = AgentController.class, properties = {
        "switchboard.models.default.base-url=", "switchboard.models.default.model=",
        "switchboard.models.local.base-url=http://127.0.0.1:11434/v1", "switchboard.models.local.model=llama3:8b"})
@Import(GatewaySlice.class)
@ActiveProfiles("local")
class AgentControllerTest {

    @Autowired
    MockMvc mvc;

    @MockitoBean
    AgentDefinitions agents;

    @Test
    void listsEachAgentWithItsInputWhatItNeedsOneOfAndItsTools() throws Exception {
        given(agents.all()).willReturn(List.of(new AgentDefinition("research", "Reads pages and digests them.",
                Duration.ofSeconds(120), 5, 10, 4000,
                Map.of("question", new InputField("string", null, true, null, null, 1000, "What to answer.")),
                List.of("question"),
                List.of(new StepDefinition("fetch", "http.fetch", "input.urls", Map.of("url", "${item}")),
                        new StepDefinition("summarize", "text.summarize", "previous.succeeded", Map.of())),
                null, null, null, null, 0, 0, 0, 0, null)));

        mvc.perform(get("/v1/agents").header(HttpHeaders.AUTHORIZATION, ACME).header("X-Correlation-Id", "corr-agents"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(header().string("X-Correlation-Id", "corr-agents"))
                .andExpect(jsonPath("$.agents.length()").value(1))
                .andExpect(jsonPath("$.agents[0].name").value("research"))
                .andExpect(jsonPath("$.agents[0].description").value("Reads pages and digests them."))
                .andExpect(jsonPath("$.agents[0].input.question.type").value("string"))
                .andExpect(jsonPath("$.agents[0].input.question.required").value(true))
                .andExpect(jsonPath("$.agents[0].input.question.maxLength").value(1000))
                .andExpect(jsonPath("$.agents[0].requireOneOf[0]").value("question"))
                .andExpect(jsonPath("$.agents[0].tools", contains("http.fetch", "text.summarize")))
                .andExpect(jsonPath("$.agents[0].available").value(true))
                .andExpect(jsonPath("$.agents[0].model").doesNotExist())
                .andExpect(jsonPath("$.agents[0].unavailable").doesNotExist())
                .andExpect(jsonPath("$.agents[0].steps").doesNotExist())
                .andExpect(jsonPath("$.agents[0].tokens").doesNotExist());
    }

    @Test
    void anInputFieldShowsOnlyTheAttributesItUses() throws Exception {
        given(agents.all()).willReturn(List.of(new AgentDefinition("notes", "Remembers and recalls.", null, 1, 1, 100,
                Map.of("recall", new InputField("string", null, false, null, null, 500, "Words to look for.")),
                List.of(), List.of(new StepDefinition("notes", "session.notes", null, Map.of())),
                null, null, null, null, 0, 0, 0, 0, null)));

        mvc.perform(get("/v1/agents").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.agents[0].input.recall.type").value("string"))
                .andExpect(jsonPath("$.agents[0].input.recall.maxLength").value(500))
                .andExpect(jsonPath("$.agents[0].input.recall.items").doesNotExist())
                .andExpect(jsonPath("$.agents[0].input.recall.minItems").doesNotExist())
                .andExpect(jsonPath("$.agents[0].input.recall.maxItems").doesNotExist())
                .andExpect(jsonPath("$.agents[0].input.recall.required").value(false));
    }

    @Test
    void aModelAgentShowsItsProviderItsToolsAndWhetherItsProviderIsConfiguredHere() throws Exception {
        given(agents.all()).willReturn(List.of(
                modelAgent("assistant", "default", List.of("http.fetch", "math.eval")),
                modelAgent("local-assistant", "local", List.of("math.eval"))));

        mvc.perform(get("/v1/agents").header(HttpHeaders.AUTHORIZATION, ACME))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.agents[0].name").value("assistant"))
                .andExpect(jsonPath("$.agents[0].model").value("default"))
                .andExpect(jsonPath("$.agents[0].tools", contains("http.fetch", "math.eval")))
                .andExpect(jsonPath("$.agents[0].available").value(false))
                .andExpect(jsonPath("$.agents[0].unavailable").value(
                        "model provider 'default' is not configured: set SWITCHBOARD_MODEL_BASE_URL and SWITCHBOARD_MODEL"))
                .andExpect(jsonPath("$.agents[0].input.message.type").value("string"))
                .andExpect(jsonPath("$.agents[0].input.message.required").value(true))
                .andExpect(jsonPath("$.agents[0].input.message.maxLength").value(20_000))
                .andExpect(jsonPath("$.agents[0].instructions").doesNotExist())
                .andExpect(jsonPath("$.agents[1].model").value("local"))
                .andExpect(jsonPath("$.agents[1].tools", contains("math.eval")))
                .andExpect(jsonPath("$.agents[1].available").value(true))
                .andExpect(jsonPath("$.agents[1].unavailable").doesNotExist());
    }

    /** A model agent as the catalog has it when it declares no input: it takes a message. */
    static AgentDefinition modelAgent(String name, String provider, List<String> tools) {
        return new AgentDefinition(name, "Answers with the help of tools.", null, 0, 0, 2000, null, null, null,
                provider, "You are helpful.", null, tools, 0, 0, 0, 0, null);
    }

    @Test
    void withoutAValidKeyTheListIs401WithAChallenge() throws Exception {
        for (String key : new String[] {"Bearer not-a-key", "Bearer ", "acme-dev-key"}) {
            mvc.perform(get("/v1/agents").header(HttpHeaders.AUTHORIZATION, key))
                    .andExpect(problem(HttpStatus.UNAUTHORIZED, "Unauthorized",
                            "Send a valid API key as 'Authorization: Bearer <key>'."))
                    .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\""));
        }
        verifyNoInteractions(agents);
    }
}
