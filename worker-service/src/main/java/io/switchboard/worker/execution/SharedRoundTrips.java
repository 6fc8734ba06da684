package io.switchboard.worker.execution;

import io.switchboard.platform.Outages;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Requests that come while a round trip for others is out go together in the next (a group commit):
 * one round trip for as many as are waiting, and none waits longer than for the round trip before
 * its own. {@code send} answers the requests of a round trip in their order. If it fails for an
 * outage, each of them fails with it; if it fails otherwise, each is sent again on its own, so
 * that only the one that fails by itself fails.
 */
final class SharedRoundTrips<R, A> {

    private record Waiting<R, A>(R request, CompletableFuture<A> answer) {
    }

    private final Queue<Waiting<R, A>> waiting = new ConcurrentLinkedQueue<>();
    private final Lock lock = new ReentrantLock();
    private final Condition sent = lock.newCondition();
    private boolean sending;
    private final Function<List<R>, List<A>> send;

    SharedRoundTrips(Function<List<R>, List<A>> send) {
        this.send = send;
    }

    /** Sends {@code request} in the next round trip and returns its answer. */
    A send(R request) {
        Waiting<R, A> mine = new Waiting<>(request, new CompletableFuture<>());
        waiting.add(mine);
        lock.lock();
        try {
            while (!mine.answer().isDone()) {
                if (sending) {
                    sent.awaitUninterruptibly();
                    continue;
                }
                sending = true;
                lock.unlock();
                try {
                    sendWaiting();
                } finally {
                    lock.lock();
                    sending = false;
                    sent.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            return mine.answer().join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) failed.getCause();
        }
    }

    /** One round trip for every request waiting, made with this thread's interrupt put aside. */
    private void sendWaiting() {
        List<Waiting<R, A>> batch = new ArrayList<>();
        for (Waiting<R, A> next = waiting.poll(); next != null; next = waiting.poll()) {
            batch.add(next);
        }
        boolean interrupted = Thread.interrupted();
        try {
            if (!answer(batch)) {
                batch.forEach(each -> answer(List.of(each)));
            }
        } catch (Error error) {
            batch.forEach(each -> each.answer().completeExceptionally(error));
            throw error;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Answers the batch; false, with none of it answered, if it failed otherwise than for an outage. */
    private boolean answer(List<Waiting<R, A>> batch) {
        try {
            List<A> answers = send.apply(batch.stream().map(Waiting::request).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer().complete(answers.get(i));
            }
            return true;
        } catch (RuntimeException failure) {
            if (batch.size() > 1 && !Outages.isOutage(failure)) {
                return false;
            }
            batch.forEach(each -> each.answer().completeExceptionally(failure));
            return true;
        }
    }
}
