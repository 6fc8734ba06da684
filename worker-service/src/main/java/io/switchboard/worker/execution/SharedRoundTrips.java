package io.switchboard.worker.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Requests that come while a round trip for others is out go together in the next (a group commit):
 * one round trip for as many as are waiting, and none waits longer than for the round trip before
 * its own. {@code send} answers the requests of a round trip in their order; if it throws, each of
 * them fails with that.
 */
final class SharedRoundTrips<R, A> {

    private record Waiting<R, A>(R request, CompletableFuture<A> answer) {
    }

    private final Queue<Waiting<R, A>> waiting = new ConcurrentLinkedQueue<>();
    private final Lock roundTrip = new ReentrantLock();
    private final Function<List<R>, List<A>> send;

    SharedRoundTrips(Function<List<R>, List<A>> send) {
        this.send = send;
    }

    /** Sends {@code request} in the next round trip and returns its answer. */
    A send(R request) {
        Waiting<R, A> mine = new Waiting<>(request, new CompletableFuture<>());
        waiting.add(mine);
        roundTrip.lock();
        try {
            if (!mine.answer().isDone()) {
                sendWaiting();
            }
        } finally {
            roundTrip.unlock();
        }
        try {
            return mine.answer().join();
        } catch (CompletionException failed) {
            throw (RuntimeException) failed.getCause();
        }
    }

    private void sendWaiting() {
        List<Waiting<R, A>> batch = new ArrayList<>();
        for (Waiting<R, A> next = waiting.poll(); next != null; next = waiting.poll()) {
            batch.add(next);
        }
        try {
            List<A> answers = send.apply(batch.stream().map(Waiting::request).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer().complete(answers.get(i));
            }
        } catch (RuntimeException failure) {
            batch.forEach(each -> each.answer().completeExceptionally(failure));
        }
    }
}
