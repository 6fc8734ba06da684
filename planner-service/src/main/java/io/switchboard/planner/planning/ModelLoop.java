package io.switchboard.planner.planning;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolDescription;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolTask;
import io.switchboard.planner.runs.ConversationMemory;
import io.switchboard.planner.runs.RunContext;
import io.switchboard.planner.runs.RunState;
import io.switchboard.planner.runs.Transcript;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.agents.AgentDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * A model agent's loop, one step at a time through the pipeline: a model call is a task like any
 * other, and the planner never waits on a model. Step 1 calls the model with the agent's
 * instructions and the run's message. When a model step completes, an answer without tool calls
 * ends the run; tool calls the agent may make become the next step's tasks, and the calls it may
 * not make (another tool, arguments that do not fit the tool's schema, beyond a cap) are refused:
 * the model is told why instead of a result. When the tool step completes, its results go to the
 * next model call. A run that needs more than the agent's {@code maxSteps} model calls fails. A
 * run of a conversation starts from what the conversation's earlier runs said (or from the earlier
 * turns its request carries), and adds what it said once it has answered.
 */
@Component
class ModelLoop {

    static final String MODEL_STEP = "model";
    static final String TOOL_STEP = "tools";

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final AgentDefinitions agents;
    private final ConversationMemory memory;
    private final PlannedStep plannedStep;
    private final ToolCatalog catalog;
    private final RunEnding ending;
    private final RunPlanning.PlanningProperties caps;

    ModelLoop(AgentDefinitions agents, ConversationMemory memory, PlannedStep plannedStep, ToolCatalog catalog, RunEnding ending,
              RunPlanning.PlanningProperties caps) {
        this.agents = agents;
        this.memory = memory;
        this.plannedStep = plannedStep;
        this.catalog = catalog;
        this.ending = ending;
        this.caps = caps;
    }

    /**
     * Plans step {@code step} of the run, or ends it; {@code previous} are the outcomes of the step
     * before, {@code transcript} what it was planned from, {@code tasksBefore} how many tasks the
     * run's steps before this one had. Step 1 starts from the {@code history} the client sent, or
     * else from the conversation's memory.
     */
    void next(Envelope cause, RunContext context, AgentDefinition agent, int step, List<ToolOutcome> previous,
              List<Map<String, Object>> history, Optional<Transcript> transcript, int tasksBefore) {
        if (step == 1) {
            List<Map<String, Object>> messages = new ArrayList<>();
            String system = systemPrompt(agent, context.input());
            if (!system.isBlank()) {
                messages.add(message("system", system));
            }
            messages.addAll(history.isEmpty() ? memory.recall(cause.tenantId(), context.conversationId(), agent.memoryTokens())
                    : history.stream().map(turn -> message(String.valueOf(turn.get("role")), String.valueOf(turn.get("content"))))
                    .toList());
            int ownFrom = messages.size();
            messages.add(message("user", userMessage(context.input())));
            callModel(cause, context, agent, step, messages, ownFrom);
            return;
        }
        Transcript before = transcript.orElseThrow(() -> new PlanRefusedException(
                "the transcript of step " + (step - 1) + " has expired"));
        if (previous.size() == 1 && ToolTask.MODEL_CALL.equals(previous.getFirst().tool())) {
            answered(cause, context, agent, step, before, previous.getFirst(), tasksBefore);
        } else {
            List<Map<String, Object>> messages = new ArrayList<>(before.messages());
            for (ToolOutcome outcome : previous) {
                Transcript.Call call = before.calls().get(outcome.index());
                messages.add(toolResult(call.toolCallId(), call.tool(), result(outcome, agent.toolResultLimit())));
            }
            callModel(cause, context, agent, step, messages, before.ownFrom());
        }
    }

    /** The model's reply to step {@code step - 1}: the run's answer, or the tool calls of step {@code step}. */
    @SuppressWarnings("unchecked")
    private void answered(Envelope cause, RunContext context, AgentDefinition agent, int step, Transcript before,
                          ToolOutcome reply, int tasksBefore) {
        if (!reply.succeeded()) {
            throw new PlanRefusedException("the model call of step " + (step - 1) + " failed: " + reply.error());
        }
        Map<String, Object> output = reply.output();
        String content = output.get("content") instanceof String text ? text : "";
        List<Map<String, Object>> requested = output.get("toolCalls") instanceof List<?> list
                ? (List<Map<String, Object>>) list : List.of();
        if (requested.isEmpty()) {
            List<Map<String, Object>> own = new ArrayList<>(before.own());
            own.add(message("assistant", content));
            memory.remember(cause.tenantId(), context.conversationId(), cause.runId(), own);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("answer", content);
            answer.put("model", output.get("model"));
            ending.end(cause, RunPlanning.SOURCE, RunStatus.SUCCEEDED, answer, null, context.conversationId(), agent.name());
            return;
        }
        List<Map<String, Object>> messages = new ArrayList<>(before.messages());
        Map<String, Object> assistant = message("assistant", content);
        assistant.put("toolCalls", requested.stream().map(call -> Map.of("id", call.get("id"), "tool", call.get("tool"),
                "arguments", call.getOrDefault("arguments", Map.of()))).toList());
        messages.add(assistant);

        int room = Math.max(0, Math.min(cap(agent.maxFanOut(), caps.maxFanOut()),
                cap(agent.maxTasks(), caps.maxRunTasks()) - tasksBefore));
        List<PlannedStep.Call> calls = new ArrayList<>();
        List<Transcript.Call> pending = new ArrayList<>();
        for (Map<String, Object> call : requested) {
            String id = String.valueOf(call.get("id"));
            String tool = String.valueOf(call.get("tool"));
            Map<String, Object> arguments = call.get("arguments") instanceof Map<?, ?> map
                    ? (Map<String, Object>) map : Map.of();
            Optional<String> refusal = refusal(cause.tenantId(), agent, tool, call.get("argumentsError"), arguments);
            if (refusal.isEmpty() && calls.size() >= room) {
                refusal = Optional.of("not run: the agent may make at most " + room + " more tool calls in this step");
            }
            if (refusal.isPresent()) {
                messages.add(toolResult(id, tool, refusal.get()));
            } else {
                calls.add(new PlannedStep.Call(tool, arguments));
                pending.add(new Transcript.Call(id, tool));
            }
        }
        if (calls.isEmpty()) {
            callModel(cause, context, agent, step, messages, before.ownFrom());
            return;
        }
        plannedStep.start(cause, context, step, TOOL_STEP, calls, false, true,
                new RunState.Keep(new Transcript(messages, pending, before.ownFrom()), false));
    }

    /** Why a tool call the model asked for is not run, or empty if it is. */
    private Optional<String> refusal(String tenantId, AgentDefinition agent, String tool, Object argumentsError,
                                     Map<String, Object> arguments) {
        if (!ToolCatalog.allows(agent.tools(), tool)) {
            return Optional.of("refused: '" + tool + "' is not a tool this agent may use; it may use " + agent.tools());
        }
        Optional<ToolDescription> description = catalog.find(tenantId, tool);
        if (description.isEmpty()) {
            return Optional.of("refused: no worker runs the tool '" + tool + "' now");
        }
        if (argumentsError != null) {
            return Optional.of("refused: the arguments are not a JSON object (" + argumentsError + ")");
        }
        Schema schema = SCHEMAS.getSchema(EventCodec.mapper().valueToTree(description.get().parameters()));
        List<String> errors = schema.validate(EventCodec.mapper().valueToTree(arguments)).stream()
                .map(Object::toString).toList();
        return errors.isEmpty() ? Optional.empty()
                : Optional.of("refused: the arguments do not fit the tool's schema: " + String.join("; ", errors));
    }

    private void callModel(Envelope cause, RunContext context, AgentDefinition agent, int step,
                           List<Map<String, Object>> messages, int ownFrom) {
        long modelCalls = messages.subList(ownFrom, messages.size()).stream()
                .filter(message -> "assistant".equals(message.get("role"))).count() + 1;
        if (modelCalls > agent.maxSteps()) {
            throw new PlanRefusedException("the agent reached its maxSteps of " + agent.maxSteps()
                    + " model calls without an answer");
        }
        Transcript transcript = new Transcript(messages, List.of(), ownFrom);
        plannedStep.start(cause, context, step, MODEL_STEP, List.of(modelCall(cause, agent, transcript)), false, true,
                        new RunState.Keep(transcript, true))
                // planned before from another transcript (a redelivered completion): the same call as then
                .ifPresent(kept -> plannedStep.start(cause, context, step, MODEL_STEP, List.of(modelCall(cause, agent, kept)),
                        false, true, null));
    }

    private PlannedStep.Call modelCall(Envelope cause, AgentDefinition agent, Transcript transcript) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("provider", agent.model());
        args.put("messages", transcript.messages());
        args.put("tools", catalog.expand(cause.tenantId(), agent.tools()).stream().map(tool -> catalog.find(cause.tenantId(), tool))
                .flatMap(Optional::stream).toList());
        args.put("maxTokens", agent.maxOutputTokens());
        return new PlannedStep.Call(ToolTask.MODEL_CALL, EventCodec.mapper().convertValue(args, Map.class));
    }

    /** The agent's instructions, or its prompt template rendered with the run's input. */
    private String systemPrompt(AgentDefinition agent, Map<String, Object> input) {
        if (agent.prompt() == null) {
            return agent.instructions() == null ? "" : agent.instructions();
        }
        return agents.prompt(agent.prompt()).orElseThrow(() -> new PlanRefusedException(
                "the prompt template '" + agent.prompt() + "' of agent " + agent.name() + " is not in the catalog"))
                .render(input);
    }

    private static String userMessage(Map<String, Object> input) {
        return input.get("message") instanceof String message ? message : EventCodec.mapper().writeValueAsString(input);
    }

    /** A tool's result as the model reads it: its output as JSON, or why it failed, cut to the agent's limit. */
    private static String result(ToolOutcome outcome, int limit) {
        String text = outcome.succeeded() ? EventCodec.mapper().writeValueAsString(outcome.output())
                : "failed: " + outcome.error();
        return text.length() <= limit ? text : text.substring(0, limit) + " [cut at " + limit + " characters]";
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return message;
    }

    private static Map<String, Object> toolResult(String toolCallId, String tool, String content) {
        Map<String, Object> message = message("tool", content);
        message.put("toolCallId", toolCallId);
        message.put("tool", tool);
        return message;
    }

    private static int cap(int agentCap, int platformCap) {
        return agentCap > 0 ? Math.min(agentCap, platformCap) : platformCap;
    }
}
