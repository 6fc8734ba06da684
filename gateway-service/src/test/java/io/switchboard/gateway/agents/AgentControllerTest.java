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

/** The agent list as a client reads it before creating a run: each agent's input and the tools it uses. */
@WebMvcTest(AgentController.class)
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
                null, null, null, 0, 0, 0, 0)));

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
                .andExpect(jsonPath("$.agents[0].steps").doesNotExist())
                .andExpect(jsonPath("$.agents[0].tokens").doesNotExist());
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
