package dev.qwen4j.cli;

import dev.qwen4j.api.ChatMessages;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.Qwen3Runtime;
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
        description = "Interactive chat. Commands: /reset (forget the conversation), /exit.")
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

    @Override
    public Integer call() throws IOException {
        PromptOptions flags = new PromptOptions();
        flags.think = think;
        try (Qwen3Runtime rt = Qwen3Runtime.open(model.resolve(), quantize.type()); Generator g = rt.newGenerator()) {
            ChatTemplate template = rt.requireChatTemplate();
            var params = sampling.apply(rt.generationDefaults());
            List<Map<String, Object>> history = new ArrayList<>();
            if (system != null) history.add(ChatMessages.message("system", system));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.err.println("qwen4j chat — " + rt.dir().getFileName() + ". /reset clears the conversation, /exit quits.");
            while (true) {
                System.out.print(Terminal.ANSI ? "\u001b[1m> \u001b[0m" : "> ");
                System.out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                if (line.strip().equals("/reset")) {
                    history.removeIf(m -> !"system".equals(m.get("role")));
                    g.reset();
                    System.out.println("(conversation cleared)");
                    continue;
                }
                history.add(ChatMessages.message("user", line));
                String rendered = template.render(history, null, flags.templateKwargs(true));
                int[] ids = rt.tokenizer().encode(rendered);
                ReasoningPrinter printer = new ReasoningPrinter(System.out, template.promptOpensThinking(), !hideReasoning);
                GenerationResult r;
                try {
                    r = g.generate(ids, params, printer);
                } catch (RuntimeException e) {
                    history.remove(history.size() - 1);
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
}
