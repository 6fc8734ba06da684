package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.testing.SecurityFigures;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile pages against {@link HtmlText}, each timed in CPU (not wall clock: the machine is shared):
 * the kinds of input that make regular expressions backtrack or recursive parsers exhaust the stack,
 * at 64 KB and 256 KB. The bound is generous, to catch a return to super-linear time, not to benchmark;
 * the printed worst case is the figure.
 */
@Tag("security")
class HtmlTextCorpusTest {

    private static final int KB = 1024;

    @Test
    void everyHostilePageIsReadInLinearTime() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        HtmlText.of("<html><body><p>warm up</p></body></html>".repeat(1000));
        String worst = null;
        long worstNanos = -1;
        for (Map.Entry<String, String> input : corpus().entrySet()) {
            long start = threads.getCurrentThreadCpuTime();
            String text = HtmlText.of(input.getValue());
            long nanos = threads.getCurrentThreadCpuTime() - start;
            System.out.printf("  %-28s %7d chars -> %7d chars, %4d ms CPU%n", input.getKey(), input.getValue().length(),
                    text.length(), nanos / 1_000_000);
            assertThat(text.length()).as(input.getKey()).isLessThanOrEqualTo(input.getValue().length());
            if (nanos > worstNanos) {
                worst = input.getKey();
                worstNanos = nanos;
            }
        }
        SecurityFigures.record("html", "HTML corpus: %d inputs, worst %s %d ms CPU".formatted(corpus().size(), worst,
                worstNanos / 1_000_000));

        assertThat(worstNanos / 1_000_000).as("CPU of the worst input, " + worst).isLessThan(2_000);
    }

    private static Map<String, String> corpus() {
        Map<String, String> corpus = new LinkedHashMap<>();
        for (int size : new int[] {64 * KB, 256 * KB}) {
            String n = size / KB + "k";
            corpus.put("lt-" + n, "<".repeat(size));
            corpus.put("spaces-after-newline-" + n, "a\n" + " ".repeat(size) + "b");
            corpus.put("unclosed-script-" + n, "<script".repeat(size / 7));
            corpus.put("script-never-closed-" + n, "<script>" + "x<".repeat(size / 2));
            corpus.put("unclosed-comment-" + n, "<!--" + "-x".repeat(size / 2));
            corpus.put("comment-openers-" + n, "<!--".repeat(size / 4));
            corpus.put("long-attribute-" + n, "<a href=\"" + "x".repeat(size) + "\">y</a>");
            corpus.put("unclosed-attribute-" + n, "<a href=\"" + "x ".repeat(size / 2));
            corpus.put("many-attributes-" + n, "<div " + "a=1 ".repeat(size / 4) + ">x</div>");
            corpus.put("long-tag-name-" + n, "<" + "a".repeat(size) + ">");
            corpus.put("end-tag-openers-" + n, "</".repeat(size / 2));
            corpus.put("entities-" + n, "&amp;&#x41;&#65;&unknown;".repeat(size / 24));
            corpus.put("entity-prefixes-" + n, "&#".repeat(size / 2));
            corpus.put("doctype-" + n, "<!DOCTYPE" + " x".repeat(size / 2));
            corpus.put("random-markup-" + n, randomMarkup(size));
        }
        corpus.put("nested-div-100k", "<div>".repeat(100_000));
        corpus.put("nested-div-text-100k", "<div>x".repeat(100_000));
        corpus.put("nested-closed-div-50k", "<div>".repeat(50_000) + "x" + "</div>".repeat(50_000));
        corpus.put("formatting-tags-50k", "<b><i><u>".repeat(50_000) + "x");
        corpus.put("misnested-formatting-20k", "<b><p>x".repeat(20_000) + "</b>".repeat(20_000));
        corpus.put("nested-tables-20k", "<table><tr><td>".repeat(20_000) + "x");
        corpus.put("options-50k", "<select>" + "<option>x".repeat(50_000));
        corpus.put("nested-svg-50k", "<svg>".repeat(50_000) + "x");
        corpus.put("nested-template-50k", "<template>".repeat(50_000) + "x");
        return corpus;
    }

    /** Tag fragments, quotes and text in a seeded random order. */
    private static String randomMarkup(int size) {
        String[] pieces = {"<", ">", "</", "<div", "<script>", "</script>", "<!--", "-->", "\"", "'", "=", " ", "\n", "x", "&", "&amp;",
                "<p>", "<b>", "</b>", "<table>", "<td>", "<![CDATA[", "]]>", "<style>"};
        Random random = new Random(42);
        StringBuilder page = new StringBuilder(size + 16);
        while (page.length() < size) {
            page.append(pieces[random.nextInt(pieces.length)]);
        }
        return page.toString();
    }
}
