package dev.qwen4j.hub;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Selects repository files by glob, the way huggingface_hub's {@code allow_patterns} does (Python
 * {@code fnmatch}): {@code *} matches any run of characters <em>including</em> '/', {@code ?} one
 * character, {@code [abc]} / {@code [!abc]} a set; a pattern ending in '/' selects a whole folder.
 * Matching is case-sensitive.
 */
final class FilePatterns {
    private final List<Pattern> patterns;

    private FilePatterns(List<Pattern> patterns) {
        this.patterns = patterns;
    }

    /** Null selects every file; an empty list selects none. */
    static FilePatterns of(List<String> globs) {
        if (globs == null) {
            return new FilePatterns(null);
        }
        return new FilePatterns(globs.stream().map(FilePatterns::compile).toList());
    }

    boolean matches(String path) {
        return patterns == null || patterns.stream().anyMatch(p -> p.matcher(path).matches());
    }

    static Pattern compile(String glob) {
        if (glob.endsWith("/")) {
            glob = glob + "*";
        }
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = closingBracket(glob, i);
                    if (end < 0) {
                        regex.append("\\[");
                    } else {
                        regex.append(characterClass(glob.substring(i, end)));
                        i = end + 1;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** Index of the ']' closing a set opened just before {@code from}, or -1 (then '[' is literal). */
    private static int closingBracket(String glob, int from) {
        int j = from;
        if (j < glob.length() && glob.charAt(j) == '!') j++;
        if (j < glob.length() && glob.charAt(j) == ']') j++;
        return glob.indexOf(']', j);
    }

    private static String characterClass(String body) {
        StringBuilder set = new StringBuilder("[");
        int start = 0;
        if (body.startsWith("!")) {
            set.append('^');
            start = 1;
        }
        for (int k = start; k < body.length(); k++) {
            char c = body.charAt(k);
            if (c == '-' && k > start && k < body.length() - 1) {
                set.append('-');
            } else if (Character.isLetterOrDigit(c)) {
                set.append(c);
            } else {
                set.append('\\').append(c);
            }
        }
        return set.append(']').toString();
    }
}
