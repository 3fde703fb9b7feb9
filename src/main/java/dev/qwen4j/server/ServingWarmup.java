package dev.qwen4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.runtime.Engine;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.runtime.GenerationRequest;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.Warmup;
import dev.qwen4j.template.ChatTemplate;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * What `serve` runs before it listens, so the first clients do not wait for the JIT: chat prompts built as the chat
 * endpoint builds them (template, tokenizer and, for a vision model, image decoding, preprocessing and the vision
 * encoder) and run through the engine: a text chat, then {@link #BATCH} different ones at once (C2 is still compiling
 * after the first, and a batch runs other kernels), {@link #SHORT_ROUNDS} short chats, and for a vision model a chat
 * about a small generated image, then {@link #BATCH} of those. On Qwen3-0.6B Q4_K_M a first burst of 4 chats took 2.8 s after a single-chat warm-up, 2.5 s after
 * this one (1.8–1.9 s warm); after a text-only warm-up the tiny Qwen3-VL's first image requests still took 0.7–0.8 s,
 * after this one 0.20 s (0.14 s warm).
 */
public final class ServingWarmup {
    private ServingWarmup() {}

    /** Tokens generated per warm-up request. */
    static final int DECODE_TOKENS = 16;
    /** Requests in a batched round. */
    static final int BATCH = 4;
    /** Short chats run one after another. */
    static final int SHORT_ROUNDS = 3;

    private static final String TEXT = "The inspection camera photographs each part on the line, and the report lists every "
            + "scratch, dent and missing screw it finds, with its position and size, so that the operator can decide at once.";

    /** A message whose chat prompt is 16-31 tokens long (28 with Qwen3's template). */
    private static final String SHORT_TEXT = "List the scratches, dents and cracks you see on this part, with their sizes.";

    /** {@link #SHORT_TEXT} less its last words. */
    static String shortText(int wordsLeftOff) {
        String[] words = SHORT_TEXT.split(" ");
        return String.join(" ", Arrays.copyOf(words, words.length - wordsLeftOff));
    }

    /** One warm-up request: what it was and how it went. */
    public record Step(String what, Warmup.Report report) {}

    /**
     * Runs the warm-up requests; a prompt that would not fit the engine's context or KV budget is left out. Throws what
     * a request threw (a model that fails here would fail every client request).
     */
    public static List<Step> run(ServedModel served) throws InterruptedException {
        List<Round> rounds = new ArrayList<>(List.of(new Round("text", false, 0), new Round("text", true, 0)));
        // short chats too, one at a time and a word shorter each: prompts under 32 tokens run other matrix kernels than
        // longer ones (4-row tiles, not the packed GEMM), which take odd and even token counts down different branches
        // (C2 leaves out a branch it has not seen run, and falls back to the interpreter when one is taken); with none
        // the first such client request on Qwen3-0.6B Q4_0 took 0.9-1.0 s (0.65 s warm)
        for (int i = 0; i < SHORT_ROUNDS; i++) rounds.add(new Round("short text", false, i));
        if (served.imageInputs() != ImageInputs.TEXT_ONLY) rounds.addAll(List.of(new Round("image", false, 0), new Round("image", true, 0)));
        ChatTemplate template = served.runtime().chatTemplate().orElse(null);
        EngineConfig config = served.engine().config();
        List<Step> steps = new ArrayList<>();
        int n = 0;
        for (Round round : rounds) {
            // a batch holds different prompts: several sequences per step, prefilled together, run other kernels than
            // one (a burst of 4 chats after a batch of one prompt's copies still took 2.8 s); no more than the engine
            // lets wait or run at once
            int copies = round.batch() ? Math.min(BATCH, Math.min(config.maxWaiting(), config.maxRunning())) : 1;
            List<GenerationRequest> batch = new ArrayList<>();
            for (int c = 0; c < copies; c++, n++) {
                GenerationRequest r = template != null ? chatRequest(served, template, round, n) : plainRequest(served, round, n);
                if (fits(served.engine(), r.prompt().length)) batch.add(r);
            }
            if (batch.isEmpty()) continue;
            steps.add(new Step(round.batch() ? round.kind() + " x" + batch.size() : round.kind(),
                    Warmup.runTogether(served.engine(), batch, 600)));
        }
        return steps;
    }

    /**
     * One round of warm-up requests of one kind: a single request, or a batch sent together; a short text's variant
     * is the number of words left off its end.
     */
    private record Round(String kind, boolean batch, int variant) {}

    /** Whether a prompt of this length and its tokens fit the engine's context and its whole KV budget. */
    private static boolean fits(Engine engine, int promptTokens) {
        return fits(engine, promptTokens, DECODE_TOKENS);
    }

    /** Whether a prompt of this length and decodeTokens more fit the engine's context and its whole KV budget. */
    static boolean fits(Engine engine, int promptTokens, int decodeTokens) {
        return promptTokens + decodeTokens <= engine.maxModelLen() && promptTokens + 1 + decodeTokens <= engine.kvCapacityTokens();
    }

    /** Request n's text as prompt tokens (a short one: 24 less its variant), for a model without a chat template. */
    private static GenerationRequest plainRequest(ServedModel served, Round round, int n) {
        int[] ids = served.runtime().tokenizer().encode(n + ". " + TEXT);
        int length = round.kind().equals("short text") ? 24 - round.variant() : 64;
        return new GenerationRequest("warmup-" + n, Arrays.copyOf(ids, Math.min(length, ids.length)), Warmup.params(DECODE_TOKENS));
    }

    /** Request n: a chat with one user message, through the chat endpoint's prompt building (ChatPrompt). */
    private static GenerationRequest chatRequest(ServedModel served, ChatTemplate template, Round round, int n) {
        String kind = round.kind();
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode();
        ObjectNode message = body.putArray("messages").addObject().put("role", "user");
        if (kind.equals("image")) {
            ArrayNode content = message.putArray("content");
            content.addObject().put("type", "image_url").putObject("image_url").put("url", pngDataUrl());
            content.addObject().put("type", "text").put("text", n + ". List the defects in this image.");
        } else {
            message.put("content", n + ". " + (kind.equals("short text") ? shortText(round.variant()) : TEXT));
        }
        ModelPrompt p = ChatPrompt.build(new Fields(body), template, served.runtime().tokenizer(), served.imageInputs()).prompt();
        return new GenerationRequest("warmup-" + n, p.ids(), Warmup.params(DECODE_TOKENS), ReasoningMode.NONE, Long.MAX_VALUE,
                p.multimodal());
    }

    /** A 64 × 48 colour gradient as a PNG data URL, as a client would send an image. */
    private static String pngDataUrl() {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) image.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 128);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }
}
