package io.switchboard.platform;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A log message with its control characters escaped ({@code \n}, {@code \r}, {@code \t}, others as
 * {@code \}{@code uXXXX}): one event is one line, whatever a request put into it.
 */
public class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return escape(event.getFormattedMessage());
    }

    static String escape(String message) {
        if (message == null || message.chars().noneMatch(EscapedMessageConverter::control)) {
            return message;
        }
        StringBuilder escaped = new StringBuilder(message.length() + 16);
        message.chars().forEach(c -> {
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (control(c)) {
                        escaped.append("\\u%04x".formatted(c));
                    } else {
                        escaped.append((char) c);
                    }
                }
            }
        });
        return escaped.toString();
    }

    private static boolean control(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
