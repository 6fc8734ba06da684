package io.switchboard.tools.builtin;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The readable text of an HTML page: scripts, styles and the head dropped, entities decoded, a blank
 * line after each block. Parsed with jsoup, whose parser and traversal take time linear in the page
 * whatever it holds (no regular expression to backtrack, no recursion to exhaust the stack).
 */
final class HtmlText {

    private static final String INVISIBLE = "script, style, head, noscript, template";
    private static final Set<String> BLOCKS = Set.of("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section",
            "article", "br");

    private HtmlText() {
    }

    static String of(String html) {
        Document document = Jsoup.parse(html);
        document.select(INVISIBLE).remove();
        StringBuilder text = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode piece) {
                    text.append(piece.text());
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element && BLOCKS.contains(element.normalName())) {
                    text.append('\n');
                }
            }
        }, document);
        return paragraphs(text);
    }

    /** Each line trimmed and its spaces collapsed, runs of empty lines made one blank line: one pass. */
    private static String paragraphs(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean space = false;
        int newlines = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                newlines++;
                space = false;
            } else if (Character.isWhitespace(c) || c == '\u00a0') {
                space = true;
            } else {
                if (!out.isEmpty()) {
                    out.append(newlines > 0 ? "\n\n" : space ? " " : "");
                }
                out.append(c);
                space = false;
                newlines = 0;
            }
        }
        return out.toString();
    }
}
