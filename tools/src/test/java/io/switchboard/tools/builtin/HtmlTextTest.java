package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text {@code http.fetch} gives a model, from ordinary and from hostile pages. */
class HtmlTextTest {

    @Test
    void keepsTheReadableTextWithABlankLineAfterEachBlock() {
        String page = "<html><head><title>t</title><style>p{}</style></head><body><h1>Title</h1>"
                + "<div>First &amp; <b>bold</b>   line<br>next</div><script>x()</script><noscript>no</noscript>"
                + "<ul><li>one</li><li>two&nbsp;too</li></ul></body></html>";

        assertThat(HtmlText.of(page)).isEqualTo("Title\n\nFirst & bold line\n\nnext\n\none\n\ntwo too");
    }

    /**
     * Pages that made the former regular expressions backtrack for seconds of CPU each (64 KB of
     * {@code <} took 19 s, spaces after a newline 16 s, unclosed {@code <script} tags 9 s at 128 KB):
     * the parser reads them in one pass. The limit only stops a regression from hanging the build.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lt", "spaces", "script", "nested"})
    void hostilePagesAreReadInOnePass(String kind) {
        String page = switch (kind) {
            case "lt" -> "<".repeat(64 * 1024);
            case "spaces" -> "a\n" + " ".repeat(64 * 1024) + "b";
            case "script" -> "<script".repeat(128 * 1024 / 7);
            default -> "<div>x".repeat(20_000);
        };

        String text = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> HtmlText.of(page));

        assertThat(text.length()).isLessThanOrEqualTo(page.length());
        if (kind.equals("spaces")) {
            assertThat(text).isEqualTo("a b");
        }
    }
}
