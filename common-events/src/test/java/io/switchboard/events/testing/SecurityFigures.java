package io.switchboard.events.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A figure of the security suite: printed, and when {@code switchboard.security.figures} names a
 * directory (as {@code ./switchboard security} does), written there as {@code <name>.md} for the
 * report in {@code docs/security.md}.
 */
public final class SecurityFigures {

    private SecurityFigures() {
    }

    public static void record(String name, String figure) {
        System.out.println(figure);
        String directory = System.getProperty("switchboard.security.figures");
        if (directory == null || directory.isBlank()) {
            return;
        }
        try {
            Path file = Files.createDirectories(Path.of(directory)).resolve(name + ".md");
            Files.writeString(file, figure + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the figure " + name, e);
        }
    }
}
