package io.switchboard.syncchain;

import io.switchboard.syncchain.Messages.Composition;
import io.switchboard.syncchain.Messages.CompositionRequest;
import io.switchboard.syncchain.Messages.Outcome;
import io.switchboard.syncchain.Messages.PlanRequest;
import io.switchboard.syncchain.Messages.Task;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The planner role: {@code POST /plan} makes one {@code math.eval} task per expression, has the
 * worker execute them all at once on a fixed pool of {@code chain.fan-out-threads} platform
 * threads, waits for every outcome, and answers with what the composer makes of them.
 */
@RestController
@ConditionalOnProperty(name = "chain.role", havingValue = "planner")
class PlannerController implements DisposableBean {

    private static final String TOOL = "math.eval";

    private final NextHop worker;
    private final NextHop composer;
    private final ExecutorService fanOut;

    PlannerController(ChainProperties properties) {
        this.worker = new NextHop(properties.workerUrl(), properties.callTimeout());
        this.composer = new NextHop(properties.composerUrl(), properties.callTimeout());
        this.fanOut = Executors.newFixedThreadPool(properties.fanOutThreads(),
                Thread.ofPlatform().name("fan-out-", 0).factory());
    }

    @PostMapping("/plan")
    Composition plan(@RequestBody PlanRequest plan) {
        List<CompletableFuture<Outcome>> calls = IntStream.range(0, plan.expressions().size())
                .mapToObj(index -> new Task(plan.runId(), index, TOOL, Map.of("expression", plan.expressions().get(index))))
                .map(task -> CompletableFuture.supplyAsync(() -> worker.post("/execute", task, Outcome.class), fanOut))
                .toList();
        List<Outcome> outcomes = calls.stream().map(PlannerController::outcome).toList();
        return composer.post("/compose", new CompositionRequest(plan.runId(), plan.agent(), outcomes), Composition.class);
    }

    /** Waits for one call; a call that failed fails the plan with its own problem. */
    private static Outcome outcome(CompletableFuture<Outcome> call) {
        try {
            return call.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    @Override
    public void destroy() {
        fanOut.shutdownNow();
    }
}
