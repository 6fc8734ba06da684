package io.switchboard.events.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The reference MCP server {@code @modelcontextprotocol/server-everything} from npm (in {@code npm/},
 * which {@code ./switchboard test} installs), run by a test over Streamable HTTP on a free port of
 * loopback's, or named for a test to run over stdio.
 */
public final class ReferenceMcpServer implements AutoCloseable {

    /** The server's script, for a {@code node <script> stdio} command. */
    public static final Path SCRIPT = Path.of("..", "npm", "node_modules", "@modelcontextprotocol", "server-everything",
            "dist", "index.js").toAbsolutePath().normalize();

    private final Process process;
    private final int port;

    private ReferenceMcpServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server over Streamable HTTP and waits until it listens. */
    public static ReferenceMcpServer startStreamableHttp() {
        int port = freePort();
        try {
            ProcessBuilder builder = new ProcessBuilder("node", SCRIPT.toString(), "streamableHttp")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("PORT", String.valueOf(port));
            ReferenceMcpServer server = new ReferenceMcpServer(builder.start(), port);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!server.listening()) {
                if (System.nanoTime() > deadline || !server.process.isAlive()) {
                    server.close();
                    throw new IllegalStateException("the reference MCP server did not listen on " + port);
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the reference MCP server from " + SCRIPT + " (npm ci in npm/)", e);
        }
    }

    /** Its Streamable HTTP endpoint. */
    public String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** A port nothing listens on, for a server that is down. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean listening() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
