package io.switchboard.tools.net;

/** A URL that {@link OutboundGuard} will not let a call reach; the message names what was refused and why. */
public class OutboundRefusal extends RuntimeException {

    OutboundRefusal(String reason) {
        super(reason);
    }
}
