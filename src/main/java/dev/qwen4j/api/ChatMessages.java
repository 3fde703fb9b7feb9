package dev.qwen4j.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Chat messages as transformers takes them: role plus content (a string or a list of typed parts). */
public final class ChatMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatMessages() {}

    public static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /**
     * A user message whose content is {@code images} image parts, then {@code videos} video parts, then the
     * text (the order the verification interface and Qwen3-VL's examples use).
     */
    public static Map<String, Object> userWithMedia(int images, int videos, String text) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int i = 0; i < images; i++) parts.add(Map.of("type", "image"));
        for (int i = 0; i < videos; i++) parts.add(Map.of("type", "video"));
        parts.add(Map.of("type", "text", "text", text));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "user");
        m.put("content", parts);
        return m;
    }

    /** Reads a JSON array of messages, checking each has a role and a string or list content. */
    public static List<Map<String, Object>> read(Path file) {
        List<Map<String, Object>> messages;
        try {
            messages = JSON.readValue(Files.readString(file), new TypeReference<List<Map<String, Object>>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a JSON array of chat messages (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Map<String, Object> m = messages.get(i);
            if (m == null || !(m.get("role") instanceof String)) {
                throw new IllegalArgumentException(file + ": message " + i + " has no string 'role'");
            }
            Object c = m.get("content");
            if (c != null && !(c instanceof String) && !(c instanceof List)) {
                throw new IllegalArgumentException(file + ": message " + i + " 'content' must be a string or a list of parts");
            }
            out.add(m);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no messages");
        return out;
    }
}
