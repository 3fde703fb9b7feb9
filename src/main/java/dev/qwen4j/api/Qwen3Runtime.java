package dev.qwen4j.api;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.gguf.GgufFile;
import dev.qwen4j.format.gguf.GgufModelConfig;
import dev.qwen4j.format.gguf.GgufSampling;
import dev.qwen4j.format.gguf.GgufTokenizer;
import dev.qwen4j.format.quant.QuantType;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.ModelRegistry;
import dev.qwen4j.model.VisionLanguageModel;
import dev.qwen4j.runtime.Engine;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.grammar.TokenConstraint;
import dev.qwen4j.runtime.grammar.TokenVocabulary;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ChatTemplate;
import dev.qwen4j.tokenizer.Tokenizer;
import dev.qwen4j.vision.ImageProcessor;
import dev.qwen4j.vision.VideoProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A model ready to use: the decoder, its tokenizer, its chat template and its generation defaults,
 * all from one Hugging Face model folder or one GGUF file. This is the entry point Java applications embed.
 */
public final class Qwen3Runtime implements AutoCloseable {
    private final Path dir;
    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template; // null when the folder ships none
    private final SamplingParams defaults;
    private final String modelType;
    private ImageProcessor imageProcessor;
    private VideoProcessor videoProcessor;

    private Qwen3Runtime(Path dir, LanguageModel model, Tokenizer tokenizer, ChatTemplate template,
                         SamplingParams defaults, String modelType) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.defaults = defaults;
        this.modelType = modelType;
    }

    /** Opens a model folder (config.json, safetensors, tokenizer.json, templates, generation_config.json) or a GGUF file. */
    public static Qwen3Runtime open(Path dir) {
        return open(dir, null);
    }

    /**
     * Opens a model folder or a GGUF file (whose metadata carries the tokenizer and chat template; it has no
     * generation defaults, so sampling defaults to greedy).
     *
     * @param quantize re-encode the weights in memory with this type's rules, or null to use them as stored
     */
    public static Qwen3Runtime open(Path dir, QuantType quantize) {
        if (GgufFile.looksLikeGguf(dir)) {
            Tokenizer tokenizer;
            ChatTemplate template;
            String type;
            SamplingParams defaults;
            // through the store, so a split model opens from any part (the first holds the metadata)
            try (dev.qwen4j.format.gguf.GgufStore store = dev.qwen4j.format.gguf.GgufStore.open(dir)) {
                GgufFile f = store.file();
                tokenizer = GgufTokenizer.read(f);
                template = GgufTokenizer.chatTemplate(f);
                type = GgufModelConfig.toConfig(f, store.ggufTensors()).optString("model_type", "?");
                defaults = GgufSampling.read(f.meta());
            }
            LanguageModel model = ModelRegistry.load(dir, quantize);
            return new Qwen3Runtime(dir, model, tokenizer, template, defaults, type);
        }
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir + ": model folder or GGUF file not found");
        String type = ConfigReader.of(dir.resolve("config.json")).optString("model_type", "?");
        Tokenizer tokenizer = Tokenizer.fromModelDir(dir);
        ChatTemplate template = hasTemplate(dir) ? ChatTemplate.fromModelDir(dir) : null;
        SamplingParams defaults = SamplingParams.fromGenerationConfig(dir.resolve("generation_config.json"));
        LanguageModel model = ModelRegistry.load(dir, quantize);
        return new Qwen3Runtime(dir, model, tokenizer, template, defaults, type);
    }

    private static boolean hasTemplate(Path dir) {
        if (Files.isRegularFile(dir.resolve("chat_template.json")) || Files.isRegularFile(dir.resolve("chat_template.jinja"))) return true;
        Path tc = dir.resolve("tokenizer_config.json");
        return Files.isRegularFile(tc) && ConfigReader.of(tc).has("chat_template");
    }

    public Path dir() { return dir; }
    public LanguageModel model() { return model; }
    public Tokenizer tokenizer() { return tokenizer; }
    public String modelType() { return modelType; }
    public SamplingParams generationDefaults() { return defaults; }

    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(template);
    }

    public ChatTemplate requireChatTemplate() {
        if (template == null) {
            throw new ModelFormatException(dir + ": no chat template (looked in chat_template.json, chat_template.jinja and tokenizer_config.json)");
        }
        return template;
    }

    /** End-of-sequence ids: generation_config's list, else the tokenizer's <|im_end|>/<|endoftext|>. */
    public Set<Integer> eosTokenIds() {
        if (defaults.eosTokenIds() != null && !defaults.eosTokenIds().isEmpty()) return defaults.eosTokenIds();
        java.util.Set<Integer> ids = new java.util.LinkedHashSet<>();
        tokenizer.id("<|im_end|>").ifPresent(ids::add);
        tokenizer.id("<|endoftext|>").ifPresent(ids::add);
        return ids;
    }

    /**
     * A constraint that keeps generated text inside {@code grammar} (e.g. a JSON schema's). With
     * {@code afterThinking} the model first reasons freely and the grammar applies after {@code </think>}.
     */
    public TokenConstraint newConstraint(Grammar grammar, boolean afterThinking) {
        TokenConstraint c = new TokenConstraint(grammar, TokenVocabulary.of(tokenizer), eosTokenIds());
        if (afterThinking) {
            int endThink = tokenizer.id("</think>").orElseThrow(() -> new IllegalStateException(dir + ": the tokenizer has no </think> token"));
            c.startAfter(endThink);
        }
        return c;
    }

    /**
     * A constraint for a model that may or may not reason first (a hybrid Qwen3 with thinking on): if its first
     * token is {@code <think>}, the grammar applies after {@code </think>}; otherwise from that first token.
     */
    public TokenConstraint newConstraintAfterOptionalThinking(Grammar grammar) {
        TokenConstraint c = new TokenConstraint(grammar, TokenVocabulary.of(tokenizer), eosTokenIds());
        int think = tokenizer.id("<think>").orElseThrow(() -> new IllegalStateException(dir + ": the tokenizer has no <think> token"));
        int endThink = tokenizer.id("</think>").orElseThrow(() -> new IllegalStateException(dir + ": the tokenizer has no </think> token"));
        return c.startAfterIfOpened(think, endThink);
    }

    /** True when the model reads images and videos ({@link Generator#generate(MultimodalInput, SamplingParams, GenerationListener)}). */
    public boolean acceptsImages() {
        return model instanceof VisionLanguageModel;
    }

    /** The image preprocessor of this model (preprocessor_config.json), for vision-language models. */
    public synchronized ImageProcessor imageProcessor() {
        requireVision();
        if (imageProcessor == null) imageProcessor = ImageProcessor.fromModelDir(dir);
        return imageProcessor;
    }

    /** The video preprocessor of this model (video_preprocessor_config.json), for vision-language models. */
    public synchronized VideoProcessor videoProcessor() {
        requireVision();
        if (videoProcessor == null) videoProcessor = VideoProcessor.fromModelDir(dir);
        return videoProcessor;
    }

    private void requireVision() {
        if (!acceptsImages()) {
            throw new UnsupportedOperationException(dir + " (" + modelType + ") is a text-only model: it cannot take images or videos");
        }
    }

    /** The model as a vision-language model, when it is one. */
    public Optional<VisionLanguageModel> visionModel() {
        return model instanceof VisionLanguageModel v ? Optional.of(v) : Optional.empty();
    }

    public Generator newGenerator() {
        return new Generator(this);
    }

    /**
     * A continuous-batching engine over this model, for serving many requests at once (the HTTP server
     * uses it). Close it before this runtime.
     */
    public Engine newEngine(EngineConfig config) {
        return new Engine(model, tokenizer, eosTokenIds(), config);
    }

    @Override
    public void close() {
        model.close();
    }
}
