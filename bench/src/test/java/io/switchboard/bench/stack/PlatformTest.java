package io.switchboard.bench.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PlatformTest {

    /** On a shared machine another process may answer on a service's port: only our own socket counts. */
    @Test
    void aProcessListensOnAPortOnlyThroughASocketOfItsOwn() throws IOException {
        long self = ProcessHandle.current().pid();
        try (ServerSocket ours = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(Platform.listensOn(self, ours.getLocalPort())).isTrue();
            assertThat(Platform.listensOn(ProcessHandle.current().parent().orElseThrow().pid(), ours.getLocalPort())).isFalse();
        }
    }
}
