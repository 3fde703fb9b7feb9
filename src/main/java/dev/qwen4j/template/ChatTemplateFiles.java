package dev.qwen4j.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a model directory's chat template the way transformers does (a standalone
 * {@code chat_template.jinja}, then {@code chat_template.json}, then {@code tokenizer_config.json}) and
 * collects the special tokens transformers exposes to the template ({@code eos_token}, …).
 */
final class ChatTemplateFiles {

    private static final List<String> SPECIAL_TOKEN_FIELDS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    record Loaded(String source, Map<String, Object> specialTokens) {}

    private ChatTemplateFiles() {}

    static Loaded load(Path directory) {
        ObjectMapper json = new ObjectMapper();
        Path jinjaFile = directory.resolve("chat_template.jinja");
        Path templateJson = directory.resolve("chat_template.json");
        Path tokenizerConfig = directory.resolve("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(tokenizerConfig) ? readJson(json, tokenizerConfig) : null;
        Map<String, Object> specialTokens = config == null ? Map.of() : specialTokens(config);

        if (Files.isRegularFile(jinjaFile)) {
            try {
                return new Loaded(Files.readString(jinjaFile), specialTokens);
            } catch (IOException e) {
                throw new TemplateException("cannot read " + jinjaFile + ": " + e.getMessage(), e);
            }
        }
        if (Files.isRegularFile(templateJson)) {
            JsonNode field = readJson(json, templateJson).get("chat_template");
            if (field != null && !field.isNull()) {
                return new Loaded(templateText(field, templateJson), specialTokens);
            }
        }
        if (config != null && config.hasNonNull("chat_template")) {
            return new Loaded(templateText(config.get("chat_template"), tokenizerConfig), specialTokens);
        }
        throw new TemplateException("no chat template in " + directory + ": looked for chat_template.jinja, "
                + "the \"chat_template\" field of chat_template.json and of tokenizer_config.json");
    }

    /** A template field is a string, or a list of {name, template} entries of which "default" is used. */
    private static String templateText(JsonNode field, Path file) {
        if (field.isTextual()) {
            return field.asText();
        }
        if (field.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode entry : field) {
                String name = entry.path("name").asText();
                names.add(name);
                if (name.equals("default") && entry.path("template").isTextual()) {
                    return entry.get("template").asText();
                }
            }
            throw new TemplateException(file + ": \"chat_template\" lists templates " + names
                    + " but none named \"default\"");
        }
        throw new TemplateException(file + ": \"chat_template\" must be a string or a list of {name, template}, not "
                + field.getNodeType());
    }

    /** Special tokens may be plain strings or AddedToken objects with a "content" field; unset ones are skipped. */
    private static Map<String, Object> specialTokens(JsonNode config) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String field : SPECIAL_TOKEN_FIELDS) {
            String token = tokenText(config.get(field));
            if (token != null) {
                tokens.put(field, token);
            }
        }
        JsonNode additional = config.get("additional_special_tokens");
        if (additional != null && additional.isArray()) {
            List<Object> extra = new ArrayList<>();
            additional.forEach(entry -> {
                String token = tokenText(entry);
                if (token != null) {
                    extra.add(token);
                }
            });
            tokens.put("additional_special_tokens", extra);
        }
        return tokens;
    }

    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    private static JsonNode readJson(ObjectMapper json, Path file) {
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new TemplateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
