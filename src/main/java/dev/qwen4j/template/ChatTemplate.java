package dev.qwen4j.template;

import dev.qwen4j.template.jinja.Arguments;
import dev.qwen4j.template.jinja.JinjaFunction;
import dev.qwen4j.template.jinja.Template;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template: turns a conversation into the prompt text exactly as Hugging Face
 * transformers' {@code apply_chat_template(..., tokenize=False)} does. Immutable and thread-safe.
 *
 * <p>Messages are maps as parsed from JSON ({@code role}, {@code content} string or list of parts,
 * {@code tool_calls}, {@code reasoning_content}, …); keep them insertion-ordered (Jackson's default
 * LinkedHashMap) because tool schemas and arguments are printed with {@code tojson} in map order.
 */
public final class ChatTemplate {

    private static final String THINK_OPEN = "<think>\n";

    private final String source;
    private final Template template;
    private final Map<String, Object> defaultVariables;
    private final Clock clock;

    /** @throws TemplateException with line and column when the source is not a valid template */
    public ChatTemplate(String source) {
        this(source, Map.of(), Clock.systemDefaultZone());
    }

    /**
     * @param defaultVariables variables every render sees unless kwargs override them, typically the
     *                         tokenizer's special tokens ({@code eos_token}, {@code bos_token}, …)
     * @param clock            what {@code strftime_now} reads
     */
    public ChatTemplate(String source, Map<String, ?> defaultVariables, Clock clock) {
        this.source = source;
        this.template = Template.parse(source);
        this.defaultVariables = new HashMap<>(defaultVariables);
        this.clock = clock;
    }

    /**
     * Loads the template of a Hugging Face model directory: {@code chat_template.jinja}, else the
     * {@code chat_template} field of {@code chat_template.json}, else that of {@code tokenizer_config.json}
     * (a string, or a list of named templates of which "default" is used). The tokenizer's special
     * tokens become default variables, as transformers passes them to the template.
     */
    public static ChatTemplate fromModelDir(Path dir) {
        ChatTemplateFiles.Loaded loaded = ChatTemplateFiles.load(dir);
        return new ChatTemplate(loaded.source(), loaded.specialTokens(), Clock.systemDefaultZone());
    }

    /**
     * Renders a conversation.
     *
     * @param tools  tool schemas, or null for none
     * @param kwargs extra template variables such as {@code add_generation_prompt} (false when absent, as in
     *               transformers), {@code enable_thinking} or {@code add_vision_id}
     * @throws TemplateRaisedException when the template rejects the conversation via {@code raise_exception}
     * @throws TemplateException       for any other rendering error
     */
    public String render(List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                         Map<String, Object> kwargs) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("raise_exception", (JinjaFunction) ChatTemplate::raiseException);
        variables.put("strftime_now", (JinjaFunction) this::strftimeNow);
        variables.putAll(defaultVariables);
        variables.put("add_generation_prompt", false);
        variables.put("documents", null);
        if (kwargs != null) {
            variables.putAll(kwargs);
        }
        variables.put("messages", messages);
        variables.put("tools", tools);
        return template.render(variables);
    }

    /** True when the template reads {@code enable_thinking}, i.e. thinking can be switched per request. */
    public boolean supportsThinkingSwitch() {
        return template.referencedNames().contains("enable_thinking");
    }

    /**
     * True when the generation prompt already opens the reasoning block (ends with {@code <think>\n}),
     * as Qwen3-VL-Thinking templates do; the model's output then starts inside the reasoning.
     */
    public boolean promptOpensThinking() {
        return promptOpensThinking(Map.of());
    }

    /** Like {@link #promptOpensThinking()}, for a request rendered with these extra kwargs. */
    public boolean promptOpensThinking(Map<String, Object> kwargs) {
        Map<String, Object> probeKwargs = new HashMap<>(kwargs);
        probeKwargs.put("add_generation_prompt", true);
        List<Map<String, Object>> probe = List.of(Map.of("role", "user", "content", "Hello"));
        try {
            return render(probe, null, probeKwargs).endsWith(THINK_OPEN);
        } catch (TemplateException rejectsProbe) {
            // A template that refuses a lone user turn cannot be probed; it also opens no reasoning block.
            return false;
        }
    }

    public String source() {
        return source;
    }

    private static Object raiseException(Arguments arguments) {
        Object message = arguments.bind("raise_exception", 1, "message").get(0);
        throw new TemplateRaisedException(String.valueOf(message));
    }

    private Object strftimeNow(Arguments arguments) {
        Object format = arguments.bind("strftime_now", 1, "format").get(0);
        if (!(format instanceof String pattern)) {
            throw new TemplateException("strftime_now() argument must be str");
        }
        return StrftimeFormat.format(pattern, LocalDateTime.now(clock));
    }
}
