package io.switchboard.worker.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.tools.ToolMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolOutputCacheTest {

    private static final ToolMetadata SUMMARIZE = new ToolMetadata("text.summarize", 1, "", 2, Duration.ofSeconds(5), true, 600);

    @Test
    void theKeyIsTheHashOfNameVersionAndCanonicalArguments() throws Exception {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("text", "Kafka keeps order.");
        args.put("options", ordered("z", 1, "a", List.of(ordered("y", true, "b", "x"))));

        String canonical = "{\"options\":{\"a\":[{\"b\":\"x\",\"y\":true}],\"z\":1},\"text\":\"Kafka keeps order.\"}";
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(("text.summarize\n1\n" + canonical).getBytes(StandardCharsets.UTF_8)));
        assertThat(ToolOutputCache.key("acme", SUMMARIZE, args)).isEqualTo("sb:acme:tool-cache:" + hash);
    }

    @Test
    void argumentsInAnotherOrderGiveTheSameKey() {
        Map<String, Object> args = ordered("text", "t", "question", ordered("b", 2, "a", 1));
        Map<String, Object> reordered = ordered("question", ordered("a", 1, "b", 2), "text", "t");

        assertThat(ToolOutputCache.key("acme", SUMMARIZE, reordered)).isEqualTo(ToolOutputCache.key("acme", SUMMARIZE, args));
    }

    @Test
    void anotherTenantVersionToolOrValueGivesAnotherKey() {
        Map<String, Object> args = Map.of("text", "t");
        String key = ToolOutputCache.key("acme", SUMMARIZE, args);

        assertThat(List.of(
                ToolOutputCache.key("globex", SUMMARIZE, args),
                ToolOutputCache.key("acme", new ToolMetadata("text.summarize", 2, "", 2, Duration.ofSeconds(5), true, 600), args),
                ToolOutputCache.key("acme", new ToolMetadata("math.eval", 1, "", 1, Duration.ofSeconds(2), true, 10), args),
                ToolOutputCache.key("acme", SUMMARIZE, Map.of("text", "u")))).doesNotContain(key).doesNotHaveDuplicates();
    }

    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
