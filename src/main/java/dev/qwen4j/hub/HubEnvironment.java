package dev.qwen4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hub settings huggingface_hub reads from the environment, read the same way so both tools
 * use one cache and one login:
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub, default {@code https://huggingface.co}
 *   <li>{@code HF_TOKEN} (also {@code HF_HUB_TOKEN}, legacy {@code HUGGING_FACE_HUB_TOKEN}), else
 *       the token file {@code HF_TOKEN_PATH}, default {@code $HF_HOME/token} (written by
 *       {@code hf auth login})
 *   <li>{@code HF_HUB_CACHE} (legacy {@code HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub};
 *       {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else
 *       {@code ~/.cache/huggingface}
 *   <li>{@code HF_HUB_OFFLINE}: 1/true/yes/on to never contact the hub
 *   <li>{@code HF_HUB_DOWNLOAD_TIMEOUT}: seconds to wait for a connection or an answer
 * </ul>
 */
record HubEnvironment(URI endpoint, String token, Path cacheDir, boolean offline, Duration timeout) {
    static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> TRUE_VALUES = Set.of("1", "true", "yes", "on");

    static HubEnvironment read(Map<String, String> env, Path userHome) {
        String endpoint = value(env, "HF_ENDPOINT");
        Path hfHome = hfHome(env, userHome);
        Path cache = firstPath(env, userHome, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE");
        String offline = value(env, "HF_HUB_OFFLINE");
        String timeout = value(env, "HF_HUB_DOWNLOAD_TIMEOUT");
        return new HubEnvironment(
                endpoint == null ? DEFAULT_ENDPOINT : URI.create(endpoint),
                token(env, userHome, hfHome),
                cache != null ? cache : hfHome.resolve("hub"),
                offline != null && TRUE_VALUES.contains(offline.toLowerCase(Locale.ROOT)),
                timeout == null ? DEFAULT_TIMEOUT : seconds("HF_HUB_DOWNLOAD_TIMEOUT", timeout));
    }

    private static Duration seconds(String name, String value) {
        try {
            double seconds = Double.parseDouble(value);
            if (seconds > 0 && Double.isFinite(seconds)) return Duration.ofMillis(Math.round(seconds * 1000));
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive number of seconds, got '" + value + "'");
    }

    private static Path hfHome(Map<String, String> env, Path userHome) {
        Path hfHome = firstPath(env, userHome, "HF_HOME");
        if (hfHome != null) return hfHome;
        Path xdgCache = firstPath(env, userHome, "XDG_CACHE_HOME");
        return (xdgCache != null ? xdgCache : userHome.resolve(".cache")).resolve("huggingface");
    }

    private static String token(Map<String, String> env, Path userHome, Path hfHome) {
        for (String name : new String[] {"HF_TOKEN", "HF_HUB_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String token = value(env, name);
            if (token != null) return token;
        }
        Path tokenPath = firstPath(env, userHome, "HF_TOKEN_PATH");
        Path tokenFile = tokenPath != null ? tokenPath : hfHome.resolve("token");
        try {
            if (!Files.isRegularFile(tokenFile)) return null;
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            return token.isEmpty() ? null : token;
        } catch (IOException unreadable) {
            return null;
        }
    }

    /** The variable's value, stripped; null when unset or blank. */
    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The first set variable as a path, with a leading {@code ~} expanded. */
    private static Path firstPath(Map<String, String> env, Path userHome, String... names) {
        for (String name : names) {
            String value = value(env, name);
            if (value == null) continue;
            if (value.equals("~")) return userHome;
            if (value.startsWith("~/")) return userHome.resolve(value.substring(2));
            return Path.of(value);
        }
        return null;
    }
}
