package dev.qwen4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * encoder) and run through the engine. A text chat twice (C2 is still compiling after the first), and for a vision
 * model a chat with a small generated image twice. After a text-only warm-up the tiny Qwen3-VL's first image
 * requests still took 0.7–0.8 s against 0.14 s warm.
 */
public final class ServingWarmup {
    private ServingWarmup() {}

    /** Tokens generated per warm-up request. */
    static final int DECODE_TOKENS = 16;

    private static final String TEXT = "The inspection camera photographs each part on the line, and the report lists every "
            + "scratch, dent and missing screw it finds, with its position and size, so that the operator can decide at once.";

    /** One warm-up request: what it was and how it went. */
    public record Step(String what, Warmup.Report report) {}

    /**
     * Runs the warm-up requests; a step whose prompt would not fit the engine's context is left out. Throws what a
     * request threw (a model that fails here would fail every client request).
     */
    public static List<Step> run(ServedModel served) throws InterruptedException {
        List<Step> steps = new ArrayList<>();
        List<String> kinds = new ArrayList<>(List.of("text", "text"));
        if (served.imageInputs() != ImageInputs.TEXT_ONLY) kinds.addAll(List.of("image", "image"));
        ChatTemplate template = served.runtime().chatTemplate().orElse(null);
        for (String kind : kinds) {
            GenerationRequest request = template != null ? chatRequest(served, template, kind) : plainRequest(served);
            if (request.prompt().length + DECODE_TOKENS > served.engine().maxModelLen()) continue;
            steps.add(new Step(kind, Warmup.run(served.engine(), request, 600)));
        }
        return steps;
    }

    /** The text as prompt tokens, for a model without a chat template. */
    private static GenerationRequest plainRequest(ServedModel served) {
        int[] ids = served.runtime().tokenizer().encode(TEXT);
        return new GenerationRequest("warmup", Arrays.copyOf(ids, Math.min(64, ids.length)), Warmup.params(DECODE_TOKENS));
    }

    /** A chat with one user message, through the chat endpoint's prompt building (ChatPrompt). */
    private static GenerationRequest chatRequest(ServedModel served, ChatTemplate template, String kind) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode();
        ObjectNode message = body.putArray("messages").addObject().put("role", "user");
        if (kind.equals("image")) {
            ArrayNode content = message.putArray("content");
            content.addObject().put("type", "image_url").putObject("image_url").put("url", pngDataUrl());
            content.addObject().put("type", "text").put("text", "List the defects in this image.");
        } else {
            message.put("content", TEXT);
        }
        ModelPrompt p = ChatPrompt.build(new Fields(body), template, served.runtime().tokenizer(), served.imageInputs()).prompt();
        return new GenerationRequest("warmup-" + kind, p.ids(), Warmup.params(DECODE_TOKENS), ReasoningMode.NONE, Long.MAX_VALUE,
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
