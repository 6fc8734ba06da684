package io.switchboard.worker.session;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A session writer in its own process, for the paused-lock-holder drill: it takes a conversation's
 * lease, says {@code LEASED <token>}, waits for a line on stdin and then tries its write, saying
 * {@code WRITTEN} or {@code REJECTED}. Arguments: tenant, conversation, lease (ISO-8601 duration).
 */
public final class PausableLeaseHolder {

    private PausableLeaseHolder() {
    }

    public static void main(String[] args) throws Exception {
        SessionStore sessions = connect(Duration.parse(args[2]));
        SessionStore.Lease lease = sessions.lock(args[0], args[1]).orElseThrow();
        System.out.println("LEASED " + lease.token());
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        System.out.println(sessions.append(lease, "written by the paused holder") ? "WRITTEN" : "REJECTED");
        System.exit(0);
    }

    /** The worker's own session store on the local Redis, with the given lease. */
    public static SessionStore connect(Duration lease) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        factory.start();
        return new SessionStore(new StringRedisTemplate(factory),
                new SessionStore.SessionProperties(Duration.ofHours(1), lease, Duration.ofSeconds(5)));
    }
}
