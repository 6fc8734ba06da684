package io.switchboard.tools.builtin;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The words of a text that carry its meaning: lower case, longer than two letters, no stop words. */
public final class Words {

    private static final Set<String> STOP_WORDS = Set.of("the", "and", "for", "are", "but", "not", "you", "all",
            "any", "can", "had", "her", "was", "one", "our", "out", "has", "his", "how", "its", "who", "what",
            "why", "does", "did", "this", "that", "with", "from", "they", "will", "would", "there", "their",
            "about", "which", "when", "where", "into", "than", "then", "them", "these", "those", "been", "were");

    private Words() {
    }

    public static Set<String> of(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(word -> word.length() > 2 && !STOP_WORDS.contains(word))
                .collect(Collectors.toSet());
    }
}
