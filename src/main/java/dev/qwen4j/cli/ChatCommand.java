package dev.qwen4j.cli;

import dev.qwen4j.api.ChatMessages;
import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.MultimodalInput;
import dev.qwen4j.vision.VideoInput;
import dev.qwen4j.vision.VideoOptions;
import dev.qwen4j.vision.VisionInput;
import java.nio.file.Path;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ChatTemplate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Interactive chat that keeps the conversation. The whole history goes through the chat template each
 * turn (so earlier reasoning is dropped exactly as the template drops it) and the KV cache reuses the
 * longest common token prefix.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Interactive chat. Commands: /image PATH and /video PATH (attach to the next message), /reset (forget the conversation), /exit.")
final class ChatCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    QuantizeOption quantize;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--system", paramLabel = "TEXT", description = "System message.")
    String system;

    @Option(names = "--think", paramLabel = "on|off", description = "enable_thinking (default: the template's default).")
    String think;

    @Option(names = "--hide-reasoning", description = "Do not print the model's thinking.")
    boolean hideReasoning;

    @Option(names = "--stats", description = "Print speed after each answer.")
    boolean stats;

    @Option(names = "--no-warmup", description = "Do not run a short throw-away generation while the first message is typed.")
    boolean noWarmup;

    @Override
    public Integer call() throws IOException {
        PromptOptions flags = new PromptOptions();
        flags.think = think;
        try (Qwen3Runtime rt = Qwen3Runtime.open(model.resolve(), quantize.type()); Generator g = rt.newGenerator()) {
            if (stats) EngineOptions.interleave(rt.model()); // its speeds then leave the one-time copies out
            ChatTemplate template = rt.requireChatTemplate();
            var params = sampling.apply(rt.generationDefaults());
            List<Map<String, Object>> history = new ArrayList<>();
            if (system != null) history.add(ChatMessages.message("system", system));
            // Every image and video of the conversation, in prompt order: the whole history is rendered each turn.
            List<VisionInput> images = new ArrayList<>();
            List<VideoInput> videos = new ArrayList<>();
            int pendingImages = 0, pendingVideos = 0;
            // while the first message is typed, a throw-away generation has the JIT compile the kernels (a cold first
            // answer of Qwen3-0.6B BF16 prefilled 15 tokens at 9-10 tokens/s against ~200 warm); it ends before g is used
            Thread warming = noWarmup ? null : Thread.ofPlatform().daemon().name("qwen4j-chat-warmup").start(() -> warmUp(g, rt, template));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.err.println("qwen4j chat — " + rt.dir().getFileName() + ". "
                    + (rt.acceptsImages() ? "/image PATH and /video PATH attach media, " : "") + "/reset clears the conversation, /exit quits.");
            while (true) {
                System.out.print(Terminal.ANSI ? "\u001b[1m> \u001b[0m" : "> ");
                System.out.flush();
                String line = in.readLine();
                awaitWarmup(warming);
                if (line == null || line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                if (line.strip().equals("/reset")) {
                    history.removeIf(m -> !"system".equals(m.get("role")));
                    images.clear();
                    videos.clear();
                    pendingImages = pendingVideos = 0;
                    g.reset();
                    System.out.println("(conversation cleared)");
                    continue;
                }
                String command = line.strip();
                if (command.startsWith("/image ") || command.startsWith("/video ")) {
                    Path file = Path.of(command.substring(7).strip());
                    try {
                        if (command.startsWith("/image ")) {
                            images.add(rt.imageProcessor().process(file));
                            pendingImages++;
                        } else {
                            videos.add(rt.videoProcessor().process(file, 2.0, VideoOptions.defaults()));
                            pendingVideos++;
                        }
                        System.out.println("(attached " + file.getFileName() + " to the next message)");
                    } catch (RuntimeException e) {
                        System.err.println("qwen4j: error: " + e.getMessage());
                    }
                    continue;
                }
                history.add(pendingImages + pendingVideos > 0 ? ChatMessages.userWithMedia(pendingImages, pendingVideos, line)
                        : ChatMessages.message("user", line));
                String rendered = template.render(history, null, flags.templateKwargs(true));
                MultimodalInput media = images.isEmpty() && videos.isEmpty() ? null : MultimodalInput.tokenize(rt.tokenizer(), rendered, images, videos);
                int[] ids = media != null ? media.ids() : rt.tokenizer().encode(rendered);
                ReasoningPrinter printer = new ReasoningPrinter(System.out, template.promptOpensThinking(), !hideReasoning);
                GenerationResult r;
                try {
                    r = media != null ? g.generate(media, params, printer) : g.generate(ids, params, printer);
                    pendingImages = pendingVideos = 0;
                } catch (RuntimeException e) {
                    history.remove(history.size() - 1);
                    for (; pendingImages > 0; pendingImages--) images.remove(images.size() - 1);
                    for (; pendingVideos > 0; pendingVideos--) videos.remove(videos.size() - 1);
                    System.out.println();
                    System.err.println("qwen4j: error: " + e.getMessage());
                    continue;
                }
                printer.finish();
                // Keep the raw answer, thinking included: the template decides what history keeps.
                String answer = template.promptOpensThinking() ? "<think>\n" + r.text() : r.text();
                history.add(ChatMessages.message("assistant", answer));
                if (stats) RunCommand.printStats(r);
            }
        }
        return 0;
    }

    /**
     * Eight tokens of a short chat, then of two a little longer whose prompts differ by one token (about 25 with Qwen3's
     * template: prompts from 16 to 31 tokens run the 4-row tile kernels, whose odd and even token counts take different
     * branches), then the generator forgets them; a failure here is left to the real turn to report.
     */
    private static void warmUp(Generator g, Qwen3Runtime rt, ChatTemplate template) {
        try {
            for (String message : WARMUP_MESSAGES) {
                String prompt = template.render(List.of(ChatMessages.message("user", message)), null, Map.of("add_generation_prompt", true));
                g.generate(rt.tokenizer().encode(prompt), SamplingParams.greedy().withMaxTokens(8).withIgnoreEos(true), GenerationListener.NONE);
                g.reset();
            }
        } catch (RuntimeException e) {
            // the first real turn meets the same problem and reports it
        } finally {
            g.reset();
        }
    }

    static final List<String> WARMUP_MESSAGES = List.of("Say hello.",
            "List the scratches, dents and cracks you see on this part, with sizes.",
            "List the scratches, dents and cracks you see on this part, with their sizes.");

    private static void awaitWarmup(Thread warming) {
        if (warming == null) return;
        try {
            warming.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
