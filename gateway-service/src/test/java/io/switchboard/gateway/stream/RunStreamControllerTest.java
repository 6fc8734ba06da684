package io.switchboard.gateway.stream;

import static io.switchboard.gateway.web.GatewaySlice.ACME;
import static io.switchboard.gateway.web.GatewaySlice.GLOBEX;
import static io.switchboard.gateway.web.GatewaySlice.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.RunEvent;
import io.switchboard.events.stream.RunEvents;
import io.switchboard.gateway.runs.RunHistory;
import io.switchboard.gateway.web.GatewaySlice;
import io.switchboard.platform.RunEventLog;
import io.switchboard.store.RunStore;
import java.time.Instant;
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
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * A run's event stream as a client reads it: Server-Sent Events whose ids are the run log's, that
 * end after the terminal event and resume after {@code Last-Event-ID}; a run that is not the
 * tenant's and an id the stream never sent are problems, not streams. The run log is stood in for.
 */
@WebMvcTest(RunStreamController.class)
@Import({GatewaySlice.class, RunHistory.class, OpenStreams.class})
@ActiveProfiles("local")
class RunStreamControllerTest {

    private static final Instant CREATED = Instant.parse("2026-12-01T10:00:00Z");
    private static final RunAccepted ACCEPTED = new RunAccepted("run-1", "conv-1", "calculator", Priority.INTERACTIVE,
            "corr-1", CREATED, CREATED.plusSeconds(60));
    private static final RunEnded COMPLETED = new RunEnded(RunStatus.SUCCEEDED, Map.of("results", List.of(4)), null,
            CREATED.plusSeconds(2));

    @Autowired
    MockMvc mvc;

    @MockitoBean
    RunEventLog runEvents;

    /** Nothing stored: every run is still in Redis. */
    @MockitoBean
    RunStore store;

    /** Every stream here has its terminal event already: none is followed. */
    @MockitoBean
    RunFollower follower;

    @Test
    void theEventsArriveWithTheirIdsAndNamesAndTheStreamEndsAfterTheTerminalOne() throws Exception {
        given(runEvents.exists("acme", "run-1")).willReturn(true);
        given(runEvents.read("acme", "run-1", null)).willReturn(List.of(entry("1764583200000-0", ACCEPTED),
                entry("1764583202000-0", COMPLETED), entry("1764583203000-0", ACCEPTED)));

        String stream = streamOf(get("/v1/runs/run-1/events"));

        assertThat(stream).isEqualTo(
                "id:1764583200000-0\nevent:run.accepted\ndata:" + RunEvents.encode(ACCEPTED) + "\n\n"
                        + "id:1764583202000-0\nevent:run.completed\ndata:" + RunEvents.encode(COMPLETED) + "\n\n");
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsOnlyWhatCameAfter() throws Exception {
        given(runEvents.exists("acme", "run-1")).willReturn(true);
        given(runEvents.read("acme", "run-1", "1764583200000-0")).willReturn(List.of(entry("1764583202000-0", COMPLETED)));

        String stream = streamOf(get("/v1/runs/run-1/events").header("Last-Event-ID", "1764583200000-0"));

        assertThat(stream)
                .isEqualTo("id:1764583202000-0\nevent:run.completed\ndata:" + RunEvents.encode(COMPLETED) + "\n\n");
    }

    @Test
    void aRunThatDoesNotExistIs404AndSoIsAnotherTenantsRun() throws Exception {
        given(runEvents.exists("acme", "run-1")).willReturn(true);

        for (String runId : List.of("run-1", "no-such-run")) {
            mvc.perform(get("/v1/runs/" + runId + "/events").header(HttpHeaders.AUTHORIZATION, GLOBEX)
                            .accept(MediaType.TEXT_EVENT_STREAM))
                    .andExpect(problem(HttpStatus.NOT_FOUND, "Run not found", "There is no run '" + runId + "'."));
        }
        verify(runEvents, never()).read(anyString(), anyString(), any());
    }

    @Test
    void aLastEventIdTheStreamNeverSentIsA400Problem() throws Exception {
        given(runEvents.exists("acme", "run-1")).willReturn(true);

        for (String lastEventId : List.of("yesterday", "1764583200000", "1-0-0", "-1-0", "1764583200000-0; drop")) {
            mvc.perform(get("/v1/runs/run-1/events").header(HttpHeaders.AUTHORIZATION, ACME)
                            .header("Last-Event-ID", lastEventId).accept(MediaType.TEXT_EVENT_STREAM))
                    .andExpect(problem(HttpStatus.BAD_REQUEST, "Invalid Last-Event-ID",
                            "Last-Event-ID must be an event id this stream sent, such as 1764151200000-0."));
        }
        verify(runEvents, never()).read(anyString(), anyString(), any());
    }

    @Test
    void withoutAKeyTheStreamIs401WithAChallenge() throws Exception {
        mvc.perform(get("/v1/runs/run-1/events").accept(MediaType.TEXT_EVENT_STREAM))
                .andExpect(problem(HttpStatus.UNAUTHORIZED, "Unauthorized",
                        "Send a valid API key as 'Authorization: Bearer <key>'."))
                .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"switchboard\""));
    }

    /** The whole stream acme's client reads, once the server has ended it. */
    private String streamOf(MockHttpServletRequestBuilder events) throws Exception {
        MvcResult started = mvc.perform(events.header(HttpHeaders.AUTHORIZATION, ACME).accept(MediaType.TEXT_EVENT_STREAM))
                .andExpect(request().asyncStarted())
                .andReturn();
        return mvc.perform(asyncDispatch(started))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM))
                .andReturn().getResponse().getContentAsString();
    }

    private static RunEventLog.Entry entry(String id, RunEvent event) {
        return new RunEventLog.Entry(id, event.eventName(), RunEvents.encode(event));
    }
}
