package dev.qwen4j.cli;

import dev.qwen4j.api.ChatMessages;
import dev.qwen4j.api.MultimodalInput;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.vision.VideoInput;
import dev.qwen4j.vision.VideoOptions;
import dev.qwen4j.vision.VisionInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The ways to give a prompt: raw ids, raw text, one chat message, or a JSON file of messages. */
public final class PromptOptions {
    static final class Source {
        @Option(names = "--tokens", paramLabel = "ID,ID,...", split = ",", description = "Prompt token ids.")
        int[] tokens;

        @Option(names = {"--prompt", "--text"}, paramLabel = "TEXT", description = "Raw prompt text (no chat template).")
        String prompt;

        @Option(names = "--chat", paramLabel = "TEXT", description = "One user message through the chat template, generation prompt added.")
        String chat;

        @Option(names = "--messages", paramLabel = "FILE", description = "JSON array of chat messages (role, content), generation prompt added.")
        Path messages;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source = new Source();

    @Option(names = "--think", paramLabel = "on|off", description = "enable_thinking for the chat template (default: the template's default).")
    String think;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before --chat.")
    String system;

    @Option(names = "--image", paramLabel = "FILE", description = "An image (repeatable). With --chat the images go before the text; "
            + "with --messages they fill the {\"type\": \"image\"} parts in order.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--video", paramLabel = "FILE", description = "A video file or a folder of frames (repeatable), like --image for {\"type\": \"video\"} parts.")
    List<Path> videos = new ArrayList<>();

    @Option(names = "--frames-fps", paramLabel = "FPS", defaultValue = "2",
            description = "Frame rate of a --video folder of frames, for its timestamps (default: ${DEFAULT-VALUE}).")
    double framesFps;

    /** Whether images or videos were given (the prompt then goes through {@link #multimodal}). */
    public boolean hasMedia() {
        return !images.isEmpty() || !videos.isEmpty();
    }

    /**
     * The prompt with its images and videos preprocessed: --tokens are taken as already expanded; --prompt
     * text and chat renderings have their placeholders expanded (see {@link VisionPrompt}).
     */
    public MultimodalInput multimodal(Qwen3Runtime rt) {
        if (!given()) throw new UsageError("give a prompt with --tokens, --prompt, --chat or --messages");
        if (!rt.acceptsImages()) {
            throw new UsageError("--image/--video need a vision-language model; " + rt.dir() + " is " + rt.modelType());
        }
        List<VisionInput> imageInputs = new ArrayList<>();
        for (Path image : images) imageInputs.add(rt.imageProcessor().process(image));
        List<VideoInput> videoInputs = new ArrayList<>();
        for (Path video : videos) {
            if (!(framesFps > 0)) throw new UsageError("--frames-fps must be positive, got " + framesFps);
            videoInputs.add(rt.videoProcessor().process(video, framesFps, VideoOptions.defaults()));
        }
        if (source.tokens != null) return MultimodalInput.of(source.tokens, imageInputs, videoInputs);
        String text = source.prompt != null ? source.prompt : renderChat(rt);
        try {
            return MultimodalInput.tokenize(rt.tokenizer(), text, imageInputs, videoInputs);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    public boolean given() {
        return source != null && (source.tokens != null || source.prompt != null || source.chat != null || source.messages != null);
    }

    /** The prompt as token ids. */
    public int[] ids(Qwen3Runtime rt) {
        if (!given()) throw new UsageError("give a prompt with --tokens, --prompt, --chat or --messages");
        if (source.tokens != null) return source.tokens;
        if (source.prompt != null) return rt.tokenizer().encode(source.prompt);
        return rt.tokenizer().encode(renderChat(rt));
    }

    /** True when the prompt went through the chat template (so output may carry reasoning). */
    public boolean isChat() {
        return source != null && (source.chat != null || source.messages != null);
    }

    /**
     * Whether the answer may start with reasoning: the prompt opens a {@code <think>} block, or the template
     * switches thinking and it was not turned off. A JSON constraint then waits for {@code </think>}.
     */
    public boolean modelMayThink(Qwen3Runtime rt) {
        return promptOpensThinking(rt) || (isChat() && rt.requireChatTemplate().supportsThinkingSwitch() && !Boolean.FALSE.equals(thinking()));
    }

    /** Whether the rendered chat prompt itself opens {@code <think>} (the output starts as reasoning). */
    public boolean promptOpensThinking(Qwen3Runtime rt) {
        return isChat() && rt.requireChatTemplate().promptOpensThinking(templateKwargs(true));
    }

    public String renderChat(Qwen3Runtime rt) {
        List<Map<String, Object>> messages;
        if (source.messages != null) {
            messages = ChatMessages.read(source.messages);
        } else {
            messages = new ArrayList<>();
            if (system != null) messages.add(ChatMessages.message("system", system));
            messages.add(hasMedia() ? ChatMessages.userWithMedia(images.size(), videos.size(), source.chat)
                    : ChatMessages.message("user", source.chat));
        }
        return rt.requireChatTemplate().render(messages, null, templateKwargs(true));
    }

    public Map<String, Object> templateKwargs(boolean addGenerationPrompt) {
        Map<String, Object> kw = new LinkedHashMap<>();
        kw.put("add_generation_prompt", addGenerationPrompt);
        Boolean t = thinking();
        if (t != null) kw.put("enable_thinking", t);
        return kw;
    }

    /** --think as a Boolean, null when not given. */
    public Boolean thinking() {
        if (think == null) return null;
        return switch (think.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes", "1" -> Boolean.TRUE;
            case "off", "false", "no", "0" -> Boolean.FALSE;
            default -> throw new UsageError("--think must be on or off, got '" + think + "'");
        };
    }
}
