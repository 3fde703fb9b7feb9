package dev.qwen4j.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the GGUF file of one quantization from a repository that ships several ({@code Qwen/Qwen3-8B-GGUF:Q4_K_M},
 * as llama.cpp's {@code -hf repo:tag}): the file whose name ends in the tag, case-insensitively
 * ({@code Qwen3-8B-Q4_K_M.gguf}, also in a folder), or all parts of a model split by gguf-split
 * ({@code Qwen3-32B-Q8_0-00001-of-00002.gguf}, …). Anything else is an error that lists the tags on offer.
 */
final class GgufChoice {
    private GgufChoice() {}

    /** The files to download for tag, the first part first. */
    static List<String> choose(String repo, String tag, List<String> files) {
        if (tag.isBlank() || !tag.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Not a usable quantization tag: '" + tag + "' (e.g. Q4_K_M)");
        }
        Pattern wanted = Pattern.compile("(?i)(|.*[-_./])" + Pattern.quote(tag) + "(-\\d{5}-of-(\\d{5}))?\\.gguf");
        // files of one model, keyed by name without the split suffix
        TreeMap<String, TreeSet<String>> models = new TreeMap<>();
        for (String f : files) {
            if (isProjector(f)) continue;
            Matcher m = wanted.matcher(f);
            if (m.matches()) models.computeIfAbsent(m.group(2) == null ? f : f.substring(0, f.length() - m.group(2).length() - 5), k -> new TreeSet<>()).add(f);
        }
        if (models.isEmpty()) {
            throw new HubException(HubException.Reason.NOT_FOUND, repo + " has no GGUF file for '" + tag + "'"
                    + (tags(files).isEmpty() ? " (it holds no GGUF files)" : "; it has: " + String.join(", ", tags(files))));
        }
        if (models.size() > 1) {
            throw new HubException(HubException.Reason.NOT_FOUND, repo + ": '" + tag + "' names several GGUF models: "
                    + String.join(", ", models.keySet()));
        }
        List<String> parts = new ArrayList<>(models.firstEntry().getValue());
        Matcher first = wanted.matcher(parts.get(0));
        first.matches();
        if (first.group(3) != null && parts.size() != Integer.parseInt(first.group(3))) {
            throw new HubException(HubException.Reason.NOT_FOUND, repo + ": the split model " + parts.get(0) + " should have "
                    + Integer.parseInt(first.group(3)) + " parts, the repository lists " + parts.size());
        }
        return parts; // sorted: part 00001 first
    }

    /** llama.cpp's vision projector files ({@code mmproj-*.gguf}) sit beside the language models and are not one. */
    private static boolean isProjector(String file) {
        return file.substring(file.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT).startsWith("mmproj");
    }

    /** The quantization tags the GGUF files carry (what follows the name's last '-' or '.'), for error messages. */
    static List<String> tags(List<String> files) {
        TreeSet<String> out = new TreeSet<>();
        for (String f : files) {
            if (isProjector(f)) continue;
            String name = f.substring(f.lastIndexOf('/') + 1);
            if (!name.toLowerCase(Locale.ROOT).endsWith(".gguf")) continue;
            name = name.substring(0, name.length() - 5).replaceFirst("-\\d{5}-of-\\d{5}$", "");
            int cut = Math.max(name.lastIndexOf('-'), name.lastIndexOf('.'));
            out.add((cut >= 0 ? name.substring(cut + 1) : name).toUpperCase(Locale.ROOT));
        }
        return new ArrayList<>(out);
    }
}
