package dev.qwen4j.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the hub, {@code "org/name"} (or a legacy single {@code "name"}), validated
 * the way huggingface_hub validates repo ids so it is safe to put into URLs and cache paths.
 */
record RepoId(String value) {
    private static final Pattern VALID = Pattern.compile("(?:[\\w.-]+/)?[\\w.-]{1,96}");
    private static final Pattern ORG_AND_NAME = Pattern.compile("[\\w.-]+/[\\w.-]{1,96}");

    RepoId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("Not a valid Hugging Face repo id: '" + value
                    + "' (expected 'org/name': letters, digits, '-', '_' and '.', no '--' or '..')");
        }
    }

    static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches() && hasNoForbiddenSequence(value);
    }

    /** True for the {@code "org/name"} form only. */
    static boolean isOrgAndName(String value) {
        return value != null && ORG_AND_NAME.matcher(value).matches() && hasNoForbiddenSequence(value);
    }

    private static boolean hasNoForbiddenSequence(String value) {
        for (String part : value.split("/")) {
            if (part.startsWith("-") || part.startsWith(".") || part.endsWith("-") || part.endsWith(".")) {
                return false;
            }
        }
        return !value.contains("--") && !value.contains("..") && !value.endsWith(".git");
    }

    /** The repository's folder in the hub cache: {@code models--org--name}. */
    String cacheFolderName() {
        return "models--" + value.replace("/", "--");
    }

    @Override
    public String toString() {
        return value;
    }
}
