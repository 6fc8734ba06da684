package io.switchboard.worker.models;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.EventCodec;
import io.switchboard.events.EventIds;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.worker.models.ModelRequest.ToolNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The {@code model.chat} tool: one call of a model provider for one step of a run, its answer
 * streamed into the run's stream as it comes ({@code message.delta}, then {@code model.completed}).
 * The model only asks for tools; running them is the platform's next step. A call is never paid
 * for twice: the reply is recorded before the tool returns, and a task that finds it recorded
 * returns it without calling. Calls keep to the provider key's rate limits, and the run's and
 * tenant's budgets are settled to the provider's reported usage, which is counted by model.
 */
@Component
class ModelChatTool implements Tool, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ModelChatTool.class);

    /** How long a call may wait for room in its provider key's rate limit before it is retried later. */
    static final Duration RATE_LIMIT_PATIENCE = Duration.ofSeconds(30);

    private final ModelProviders providers;
    private final ModelRateLimits rateLimits;
    private final RecordedReplies replies;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final PlatformProperties platform;
    private final MeterRegistry meters;
    private final ToolMetadata metadata;
    /** Ticks every streaming call's {@link DeltaWriter}, so text is shown within 50 ms even while the model pauses. */
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("model-deltas").factory());

    ModelChatTool(ModelProviders providers, ModelRateLimits rateLimits, RecordedReplies replies, RunEventLog runEvents,
                  TokenBudgets budgets, PlatformProperties platform, MeterRegistry meters) {
        this.platform = platform;
        this.meters = meters;
        this.providers = providers;
        this.rateLimits = rateLimits;
        this.replies = replies;
        this.runEvents = runEvents;
        this.budgets = budgets;
        this.metadata = new ToolMetadata(ToolTask.MODEL_CALL, 1,
                "Calls a model provider with a conversation and the tools the model may ask for", 6,
                providers.longestTimeout().plus(RATE_LIMIT_PATIENCE).plusSeconds(5), false, 0);
    }

    @Override
    public void destroy() {
        ticks.shutdownNow();
    }

    @Override
    public String name() {
        return ToolTask.MODEL_CALL;
    }

    /** Tried up to 6 times; longer than any provider's timeout and the wait for its rate limit; never cached. */
    @Override
    public ToolMetadata metadata() {
        return metadata;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        ModelRequest request = ModelRequest.from(call.args());
        ModelProviders.Provider provider = providers.provider(request.provider());
        ModelRateLimits.Permit permit = rateLimits.take(provider, request.reservation(), RATE_LIMIT_PATIENCE,
                RecordedReplies.key(call.tenantId(), call.runId(), call.step()));
        if (permit.recorded().isPresent()) {
            LOG.info("run {} step {}: the model's reply was recorded before; not calling it again", call.runId(), call.step());
            return finish(call, RecordedReplies.decode(permit.recorded().get()));
        }
        DeltaWriter deltas = new DeltaWriter(runEvents, call.tenantId(), call.runId(), call.step(), call.attempt());
        ModelReply reply;
        try {
            reply = stream(provider, request, call, deltas);
        } catch (RuntimeException failure) {
            rateLimits.correct(permit, 0);
            throw ModelFailures.of(provider.name(), failure, Clock.systemUTC());
        }
        RecordedReplies.Recording recording = replies.record(call.tenantId(), call.runId(), call.step(), call.idempotencyKey(), permit,
                deltas.rest(), reply);
        if (recording.runEnded()) {
            throw runEnded(call);
        }
        if (!recording.now()) {
            return finish(call, recording.before());
        }
        if (recording.settled()) {
            count(call.tenantId(), reply);
        }
        return reply.toOutput();
    }

    /** The tokens a model call used and what they cost, by tenant and model, once per call. */
    private void count(String tenantId, ModelReply reply) {
        String model = reply.model() == null ? "unknown" : reply.model();
        long prompt = reply.usage().promptTokens();
        long completion = reply.usage().completionTokens();
        meters.counter("switchboard.model.tokens", "tenant", tenantId, "model", model, "kind", "prompt").increment(prompt);
        meters.counter("switchboard.model.tokens", "tenant", tenantId, "model", model, "kind", "completion").increment(completion);
        platform.providerOf(model).ifPresent(provider -> meters.counter("switchboard.model.cost", "tenant", tenantId, "model", model)
                .increment((prompt * provider.promptPrice() + completion * provider.completionPrice()) / 1_000_000));
    }

    /**
     * For a reply recorded before (by an earlier delivery of the task, or by another task of the
     * step): tells the run the call completed and settles the budgets, both once however often this
     * runs. The task that paid for the call settles to the reported usage (and counts it by model);
     * any other task of the step (the planner's repeat) settles to nothing. The task that records a
     * reply does both as it records it.
     */
    private Map<String, Object> finish(ToolCall call, RecordedReplies.Recorded recorded) {
        ModelReply reply = recorded.reply();
        runEvents.append(call.tenantId(), call.runId(), EventIds.modelCompleted(call.runId(), call.step()), reply.completed(call.step()));
        if (recorded.paidBy(call.idempotencyKey())) {
            if (budgets.settleModelCall(call.tenantId(), call.runId(), call.idempotencyKey(), reply.model(),
                    reply.usage().promptTokens(), reply.usage().completionTokens())) {
                count(call.tenantId(), reply);
            }
        } else {
            budgets.settle(call.tenantId(), call.runId(), call.idempotencyKey(), 0);
        }
        return reply.toOutput();
    }

    /** Streams the model's answer into {@code deltas}, all but what is gathered last ({@link DeltaWriter#rest}). */
    private ModelReply stream(ModelProviders.Provider provider, ModelRequest request, ToolCall call, DeltaWriter deltas) {
        ToolNames names = request.toolNames();
        Answer answer = new Answer(names);
        try (ModelProviders.Lease lease = provider.clients().lease()) {
            OpenAiChatOptions.Builder options = lease.chatModel().getOptions().mutate().maxTokens(request.maxTokens());
            if (!request.tools().isEmpty()) {
                options.toolCallbacks(request.tools().stream().map(ModelChatTool::declaration).toList());
            }
            Prompt prompt = new Prompt(messages(request, names), options.build());
            ScheduledFuture<?> ticker = ticks.scheduleAtFixedRate(deltas::flushIfDue, DeltaWriter.MAX_NANOS, DeltaWriter.MAX_NANOS,
                    TimeUnit.NANOSECONDS);
            try {
                lease.chatModel().stream(prompt)
                        .doOnNext(response -> {
                            if (!deltas.write(answer.add(response))) {
                                throw runEnded(call);
                            }
                        })
                        .blockLast(provider.settings().timeout());
            } finally {
                ticker.cancel(false);
            }
        }
        if (!answer.finished()) {
            throw ToolFailure.transientFailure("model provider '" + provider.name() + "' ended its stream before the answer was finished",
                    null);
        }
        if (deltas.runEnded()) {
            throw runEnded(call);
        }
        return answer.reply(provider.settings().model(), request);
    }

    private static ToolFailure runEnded(ToolCall call) {
        return ToolFailure.permanent("run " + call.runId() + " ended while the model was answering");
    }

    /** A tool the model may ask for: only its declaration; the platform runs it, never the chat model. */
    private static ToolCallback declaration(ModelRequest.ToolSpec tool) {
        ToolDefinition definition = ToolDefinition.builder()
                .name(ToolNames.providerName(tool.name()))
                .description(tool.description() == null ? tool.name() : tool.description())
                .inputSchema(tool.parameters() == null ? "{\"type\":\"object\",\"properties\":{}}" : ModelRequest.json(tool.parameters()))
                .build();
        return new ToolCallback() {
            @Override
            public ToolDefinition getToolDefinition() {
                return definition;
            }

            @Override
            public String call(String toolInput) {
                throw new IllegalStateException("tool " + tool.name() + " is run by the platform, not by the chat model");
            }
        };
    }

    private static List<Message> messages(ModelRequest request, ToolNames names) {
        List<Message> messages = new ArrayList<>();
        for (ModelRequest.Message message : request.messages()) {
            String content = message.content() == null ? "" : message.content();
            messages.add(switch (message.role() == null ? "user" : message.role()) {
                case "system" -> new SystemMessage(content);
                case "assistant" -> AssistantMessage.builder().content(content)
                        .toolCalls(message.toolCalls() == null ? List.of() : message.toolCalls().stream()
                                .map(toolCall -> new AssistantMessage.ToolCall(toolCall.id(), "function",
                                        ToolNames.providerName(toolCall.tool()), ModelRequest.json(toolCall.arguments())))
                                .toList())
                        .build();
                case "tool" -> ToolResponseMessage.builder().responses(List.of(new ToolResponseMessage.ToolResponse(
                        message.toolCallId(), ToolNames.providerName(message.tool() == null ? "" : message.tool()), content))).build();
                case "user" -> new UserMessage(content);
                default -> throw ToolFailure.permanent("a message's role must be system, user, assistant or tool, not '" + message.role() + "'");
            });
        }
        return messages;
    }

    /** The answer as it streams in: its text, the tool calls, why it stopped, the model and its usage. */
    private static final class Answer {

        private final ToolNames names;
        private final StringBuilder content = new StringBuilder();
        private final Map<String, ModelReply.ToolCall> toolCalls = new LinkedHashMap<>();
        private String finishReason;
        private String model;
        private long promptTokens;
        private long completionTokens;

        Answer(ToolNames names) {
            this.names = names;
        }

        /** Whether the provider said why it stopped: a stream cut before that is not an answer. */
        boolean finished() {
            return finishReason != null;
        }

        /** Takes one streamed response; returns its text, if any. */
        String add(ChatResponse response) {
            if (response.getMetadata() != null) {
                if (response.getMetadata().getModel() != null && !response.getMetadata().getModel().isBlank()) {
                    model = response.getMetadata().getModel();
                }
                var usage = response.getMetadata().getUsage();
                if (usage != null && (number(usage.getPromptTokens()) > 0 || number(usage.getCompletionTokens()) > 0)) {
                    promptTokens = number(usage.getPromptTokens());
                    completionTokens = number(usage.getCompletionTokens());
                }
            }
            if (response.getResult() == null) {
                return null;
            }
            if (response.getResult().getMetadata() != null) {
                String reason = response.getResult().getMetadata().getFinishReason();
                if (reason != null && !reason.isBlank()) {
                    finishReason = reason.toLowerCase(Locale.ROOT);
                }
            }
            AssistantMessage output = response.getResult().getOutput();
            if (output == null) {
                return null;
            }
            output.getToolCalls().forEach(toolCall -> toolCalls.put(toolCall.id(), toolCall(toolCall)));
            String text = output.getText();
            if (text != null) {
                content.append(text);
            }
            return text;
        }

        private ModelReply.ToolCall toolCall(AssistantMessage.ToolCall toolCall) {
            String tool = names.platformName(toolCall.name());
            String arguments = toolCall.arguments();
            if (arguments == null || arguments.isBlank()) {
                return new ModelReply.ToolCall(toolCall.id(), tool, Map.of(), null);
            }
            try {
                Object parsed = EventCodec.mapper().readValue(arguments, Object.class);
                if (parsed instanceof Map<?, ?> map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> object = (Map<String, Object>) map;
                    return new ModelReply.ToolCall(toolCall.id(), tool, object, null);
                }
            } catch (RuntimeException notJson) {
                // reported below
            }
            return new ModelReply.ToolCall(toolCall.id(), tool, Map.of(),
                    "the arguments are not a JSON object: " + (arguments.length() > 200 ? arguments.substring(0, 200) + "…" : arguments));
        }

        /**
         * The reply. A provider that reported no usage is taken to have used the prompt's estimate
         * and a token for every four characters of the answer.
         */
        ModelReply reply(String configuredModel, ModelRequest request) {
            if (promptTokens == 0 && completionTokens == 0) {
                promptTokens = request.promptEstimate();
                completionTokens = (content.length() + 3) / 4;
            }
            return new ModelReply(content.toString(), List.copyOf(toolCalls.values()), finishReason,
                    model != null ? model : configuredModel, new ModelReply.Usage(promptTokens, completionTokens));
        }

        private static long number(Integer value) {
            return value == null ? 0 : value;
        }
    }
}
