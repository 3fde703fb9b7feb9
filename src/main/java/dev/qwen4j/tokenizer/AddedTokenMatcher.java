package dev.qwen4j.tokenizer;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.function.Function;

/**
 * Finds added tokens in text the way Hugging Face's {@code AddedVocabulary} does: non-overlapping matches
 * scanned left to right, the longest token winning at the leftmost position ("leftmost-longest"), then the
 * token's {@code single_word}, {@code lstrip} and {@code rstrip} options applied to each match.
 */
final class AddedTokenMatcher {
    /** Receives the input cut into alternating stretches of ordinary text and added tokens, in order. */
    interface Segments {
        void text(String text, int from, int to);

        void addedToken(int id);
    }

    private final TrieNode root;
    /** Characters that start at least one token: lets the scan skip most positions with one bit test. */
    private final BitSet firstChars = new BitSet();
    private final boolean empty;

    /**
     * @param matchedForm the string to look for for each token (its content, or its normalized content)
     */
    AddedTokenMatcher(Collection<AddedToken> tokens, Function<AddedToken, String> matchedForm) {
        TrieBuilder builder = new TrieBuilder();
        for (AddedToken token : tokens) {
            String form = matchedForm.apply(token);
            if (!form.isEmpty()) {
                builder.insert(form, token);
                firstChars.set(form.charAt(0));
            }
        }
        root = builder.build();
        empty = firstChars.isEmpty();
    }

    void split(String text, Segments segments) {
        if (empty) {
            segments.text(text, 0, text.length());
            return;
        }
        int length = text.length();
        int emitted = 0;
        int position = 0;
        while (position < length) {
            int start = nextCandidate(text, position);
            if (start >= length) {
                break;
            }
            TrieNode node = root;
            AddedToken longest = null;
            int longestEnd = -1;
            for (int i = start; i < length; i++) {
                node = node.child(text.charAt(i));
                if (node == null) {
                    break;
                }
                if (node.token != null) {
                    longest = node.token;
                    longestEnd = i + 1;
                }
            }
            if (longest == null) {
                position = start + 1;
                continue;
            }
            position = longestEnd;
            if (longest.singleWord() && !standsAlone(text, start, longestEnd)) {
                continue; // like the reference, a rejected match is not retried with a shorter token
            }
            int matchStart = start;
            int matchEnd = longestEnd;
            if (longest.leftStrip()) {
                // White space that an earlier match already absorbed cannot be taken twice.
                matchStart = Math.max(emitted, startOfSpaceRunBefore(text, start));
            }
            if (longest.rightStrip()) {
                matchEnd = endOfSpaceRunAfter(text, longestEnd);
                position = matchEnd;
            }
            if (emitted < matchStart) {
                segments.text(text, emitted, matchStart);
            }
            segments.addedToken(longest.id());
            emitted = matchEnd;
        }
        if (emitted < length) {
            segments.text(text, emitted, length);
        }
    }

    private int nextCandidate(String text, int from) {
        int length = text.length();
        for (int i = from; i < length; i++) {
            if (firstChars.get(text.charAt(i))) {
                return i;
            }
        }
        return length;
    }

    /** Whether neither neighbour of {@code [start, end)} is a word character (Rust regex {@code \w}). */
    private static boolean standsAlone(String text, int start, int end) {
        boolean wordBefore = start > 0 && isWordCharacter(text.codePointBefore(start));
        boolean wordAfter = end < text.length() && isWordCharacter(text.codePointAt(end));
        return !wordBefore && !wordAfter;
    }

    private static boolean isWordCharacter(int codePoint) {
        if (Character.isAlphabetic(codePoint) || codePoint == 0x200C || codePoint == 0x200D) {
            return true;
        }
        return switch (Character.getType(codePoint)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static int startOfSpaceRunBefore(String text, int index) {
        int i = index;
        while (i > 0 && UnicodeWhiteSpace.contains(text.codePointBefore(i))) {
            i -= Character.charCount(text.codePointBefore(i));
        }
        return i;
    }

    private static int endOfSpaceRunAfter(String text, int index) {
        int i = index;
        while (i < text.length() && UnicodeWhiteSpace.contains(text.codePointAt(i))) {
            i += Character.charCount(text.codePointAt(i));
        }
        return i;
    }

    /** A node of the token trie; children are kept in sorted arrays, small and fast to search. */
    private static final class TrieNode {
        final char[] labels;
        final TrieNode[] children;
        final AddedToken token;

        TrieNode(char[] labels, TrieNode[] children, AddedToken token) {
            this.labels = labels;
            this.children = children;
            this.token = token;
        }

        TrieNode child(char c) {
            int index = Arrays.binarySearch(labels, c);
            return index >= 0 ? children[index] : null;
        }
    }

    private static final class TrieBuilder {
        final java.util.TreeMap<Character, TrieBuilder> children = new java.util.TreeMap<>();
        AddedToken token;

        void insert(String form, AddedToken added) {
            TrieBuilder node = this;
            for (int i = 0; i < form.length(); i++) {
                node = node.children.computeIfAbsent(form.charAt(i), c -> new TrieBuilder());
            }
            // Two tokens with the same text: the later definition wins, as in the reference's map.
            node.token = added;
        }

        TrieNode build() {
            char[] labels = new char[children.size()];
            TrieNode[] built = new TrieNode[children.size()];
            int i = 0;
            for (var entry : children.entrySet()) {
                labels[i] = entry.getKey();
                built[i] = entry.getValue().build();
                i++;
            }
            return new TrieNode(labels, built, token);
        }
    }
}
