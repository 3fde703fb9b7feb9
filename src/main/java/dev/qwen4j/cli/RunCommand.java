package dev.qwen4j.cli;

import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.MultimodalInput;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.template.ReasoningParser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** One prompt in, streamed text out; `--json` prints one JSON object instead (verification interface). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Generate from one prompt, streaming the output.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    QuantizeOption quantize;

    @Mixin
    PromptOptions prompt;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    ConstraintOptions constraint;

    @Option(names = "--json", description = "Print one JSON object: token_ids, text, reasoning_content, content, finish_reason, usage.")
    boolean json;

    @Option(names = "--hide-reasoning", description = "Do not print the model's thinking.")
    boolean hideReasoning;

    @Option(names = "--stats", description = "Print prompt and generation speed to stderr.")
    boolean stats;

    @Override
    public Integer call() {
        try (Qwen3Runtime rt = Qwen3Runtime.open(model.resolve(), quantize.type()); Generator g = rt.newGenerator()) {
            if (stats) EngineOptions.interleave(rt.model()); // its speeds then leave the one-time copies out
            MultimodalInput media = prompt.hasMedia() ? prompt.multimodal(rt) : null;
            int[] ids = media != null ? media.ids() : prompt.ids(rt);
            var params = sampling.apply(rt.generationDefaults());
            boolean opensThinking = prompt.isChat() && rt.requireChatTemplate().promptOpensThinking();
            var jsonConstraint = constraint.constraint(rt, prompt);
            GenerationResult r;
            if (json) {
                r = media != null ? g.generate(media, params, jsonConstraint, GenerationListener.NONE)
                        : g.generate(ids, params, jsonConstraint, GenerationListener.NONE);
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("token_ids", r.tokenIds());
                o.put("text", r.text());
                if (prompt.isChat()) {
                    ReasoningParser p = new ReasoningParser(opensThinking);
                    ReasoningParser.Delta a = p.push(r.text()), b = p.flush();
                    o.put("reasoning_content", a.reasoning() + b.reasoning());
                    o.put("content", a.content() + b.content());
                }
                o.put("finish_reason", r.finishReason().openAiName());
                o.put("usage", Map.of("prompt_tokens", r.promptTokens(), "completion_tokens", r.tokenIds().length));
                System.out.println(Jsons.write(o));
            } else {
                ReasoningPrinter printer = new ReasoningPrinter(System.out, opensThinking, !hideReasoning);
                GenerationListener listener = prompt.isChat() ? printer : new GenerationListener() {
                    @Override
                    public void token(int id, String text) {
                        System.out.print(text);
                        System.out.flush();
                    }
                };
                r = media != null ? g.generate(media, params, jsonConstraint, listener) : g.generate(ids, params, jsonConstraint, listener);
                if (prompt.isChat()) printer.finish();
                else System.out.println();
            }
            if (stats) printStats(r);
        }
        return 0;
    }

    static void printStats(GenerationResult r) {
        System.err.printf("prompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | finish: %s%n",
                r.promptTokens(), r.prefillTokensPerSecond(), r.tokenIds().length, r.decodeTokensPerSecond(),
                r.finishReason().openAiName());
    }
}
