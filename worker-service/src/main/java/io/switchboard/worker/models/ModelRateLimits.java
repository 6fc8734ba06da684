package io.switchboard.worker.models;

import io.switchboard.tools.ToolFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Each provider key's requests and tokens per minute, shared by all workers: per-minute windows in
 * Redis named by a hash of the key (never the key itself), taken by one atomic script per call.
 * A call that does not fit waits (on its virtual thread) for the next window, for as long as the
 * task allows; then it is tried again later. Tokens are taken as reserved (the answer's
 * {@code maxTokens} and the prompt's estimate) and corrected to the reported usage after the call.
 */
@Component
class ModelRateLimits {

    /**
     * Adds the difference between the tokens a call used and those it was counted with to the
     * minute's tokens, only while the minute's key lives (it keeps its expiry). For a caller's script
     * that does more at once.
     */
    static final String CORRECT_FUNCTION = """
            local function correct_tokens(tokens, difference)
              if tonumber(difference) ~= 0 and redis.call('EXISTS', tokens) == 1 then redis.call('INCRBY', tokens, difference) end
            end
            """;

    /** KEYS: the minute's tokens. ARGV: the difference. */
    private static final RedisScript<Long> CORRECT = RedisScript.of(CORRECT_FUNCTION + """
            correct_tokens(KEYS[1], ARGV[1])
            return 0
            """, Long.class);

    /**
     * KEYS: the window's requests, its tokens, the call's reply as recorded. ARGV: requests per
     * minute, tokens per minute, tokens. Returns {@code {2, reply}} if the call was answered before,
     * taking nothing; else takes one request and the tokens if both fit (a call larger than a whole
     * minute's tokens fits an empty window) and returns {@code {1}} if taken, {@code {0}} if not.
     */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> TAKE = RedisScript.of("""
            local recorded = redis.call('GET', KEYS[3])
            if recorded then return {2, recorded} end
            local requests = tonumber(redis.call('GET', KEYS[1]) or '0')
            local tokens = tonumber(redis.call('GET', KEYS[2]) or '0')
            local wanted = tonumber(ARGV[3])
            if requests + 1 > tonumber(ARGV[1]) then return {0} end
            if tokens > 0 and tokens + wanted > tonumber(ARGV[2]) then return {0} end
            redis.call('INCR', KEYS[1])
            redis.call('INCRBY', KEYS[2], wanted)
            redis.call('EXPIRE', KEYS[1], 120)
            redis.call('EXPIRE', KEYS[2], 120)
            return {1}
            """, List.class);

    private final StringRedisTemplate redis;
    private final Clock clock;

    @Autowired
    ModelRateLimits(StringRedisTemplate redis) {
        this(redis, Clock.systemUTC());
    }

    ModelRateLimits(StringRedisTemplate redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * The window a call was counted in, to correct its tokens after the call; or, for a call
     * answered before, the reply recorded then ({@code recorded}), and nothing counted.
     */
    record Permit(String tokensKey, long tokens, Optional<String> recorded) {
    }

    /**
     * Takes one request and {@code tokens} from the key's current minute, waiting for a later
     * minute if this one is full, but not past {@code patience}; unless the call's reply is
     * recorded at {@code replyKey} already (a task delivered again), which it returns instead, in
     * the same round trip.
     */
    Permit take(ModelProviders.Provider provider, long tokens, Duration patience, String replyKey) {
        Instant giveUp = clock.instant().plus(patience);
        while (true) {
            long minute = clock.millis() / 60_000;
            String requestsKey = key(provider, "requests", minute);
            String tokensKey = key(provider, "tokens", minute);
            List<?> taken = redis.execute(TAKE, List.of(requestsKey, tokensKey, replyKey),
                    String.valueOf(provider.settings().requestsPerMinute()), String.valueOf(provider.settings().tokensPerMinute()),
                    String.valueOf(tokens));
            long answer = ((Number) taken.getFirst()).longValue();
            if (answer == 2) {
                return new Permit(tokensKey, 0, Optional.of((String) taken.get(1)));
            }
            if (answer == 1) {
                return new Permit(tokensKey, tokens, Optional.empty());
            }
            Instant nextWindow = Instant.ofEpochMilli((minute + 1) * 60_000);
            if (nextWindow.isAfter(giveUp)) {
                throw ToolFailure.retryAfter("model provider '" + provider.name() + "' is at its rate limit of "
                        + provider.settings().requestsPerMinute() + " requests and " + provider.settings().tokensPerMinute()
                        + " tokens a minute", Duration.between(clock.instant(), nextWindow), null);
            }
            sleepUntil(nextWindow);
        }
    }

    /** Replaces the tokens a call was counted with by what it used. */
    void correct(Permit permit, long usedTokens) {
        if (usedTokens != permit.tokens()) {
            redis.execute(CORRECT, List.of(permit.tokensKey()), correctArg(permit, usedTokens));
        }
    }

    /** The argument {@link #CORRECT_FUNCTION} takes, after the permit's {@code tokensKey}, for a call that used {@code usedTokens}. */
    static String correctArg(Permit permit, long usedTokens) {
        return String.valueOf(usedTokens - permit.tokens());
    }

    private void sleepUntil(Instant until) {
        try {
            Thread.sleep(Math.max(1, Duration.between(clock.instant(), until).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ToolFailure.transientFailure("interrupted while waiting for the model provider's rate limit", e);
        }
    }

    private static String key(ModelProviders.Provider provider, String what, long minute) {
        return "sb:model-rate:" + provider.keyHash() + ":" + what + ":" + minute;
    }
}
