package dev.qwen4j.cli;

import static dev.qwen4j.cli.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.api.ChatMessages;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.cli.CliRunner.Result;
import dev.qwen4j.testing.Golden;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `qwen4j chat` on the tiny model, its input from stdin. */
class ChatCommandTest {
    private static final String MODEL = Golden.model("tiny-qwen3").toString();

    private static synchronized Result chat(String stdin, String... extra) {
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            String[] args = new String[5 + extra.length];
            System.arraycopy(new String[] {"chat", "--model", MODEL, "--temperature", "0"}, 0, args, 0, 5);
            System.arraycopy(extra, 0, args, 5, extra.length);
            return cli(args);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void theWarmupChatsCoverTheTileKernelsOddAndEvenPromptLengths() {
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"))) {
            List<Integer> lengths = ChatCommand.WARMUP_MESSAGES.stream().map(m -> rt.tokenizer().encode(rt.requireChatTemplate()
                    .render(List.of(ChatMessages.message("user", m)), null, Map.of("add_generation_prompt", true))).length).toList();
            // the last two: 16-31 tokens (4-row tiles), one odd and one even
            assertThat(lengths.subList(1, 3)).allSatisfy(n -> assertThat(n).isBetween(16, 31));
            assertThat(lengths.get(1) % 2).isNotEqualTo(lengths.get(2) % 2);
        }
    }

    @Test
    void theWarmupWhileTheFirstMessageIsTypedLeavesTheAnswersAsTheyWere() {
        // the first message arrives at once, so the turn waits for the warm-up that shares its generator
        String input = "Hello there\nAnd a second question\n/exit\n";
        Result cold = chat(input, "--no-warmup", "--max-tokens", "12");
        Result warm = chat(input, "--max-tokens", "12");
        assertThat(cold.exit()).isZero();
        assertThat(warm.exit()).isZero();
        assertThat(cold.out()).contains("> ").hasSizeGreaterThan(20);
        assertThat(warm.out()).isEqualTo(cold.out());
    }

    @Test
    void resetAndExitRightAwayWaitForTheWarmup() {
        Result r = chat("/reset\n/exit\n");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("(conversation cleared)");
    }
}
