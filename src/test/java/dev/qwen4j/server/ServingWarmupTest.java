package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.runtime.StopReason;
import dev.qwen4j.testing.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What `serve` runs before it listens: chat requests through the chat endpoint's preparation and the engine. */
class ServingWarmupTest {
    private static ServedModel served(Qwen3Runtime rt, int maxModelLen) {
        return ServedModel.start("m", rt, EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxModelLen(maxModelLen));
    }

    @Test
    void aVisionModelWarmsUpOnTextAndOnAnImage() throws Exception {
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3-vl"))) {
            ServedModel served = served(rt, 1024);
            try {
                List<ServingWarmup.Step> steps = ServingWarmup.run(served);
                assertThat(steps).extracting(ServingWarmup.Step::what).containsExactly("text", "text x" + ServingWarmup.BATCH,
                        "short text", "short text", "short text", "image", "image x" + ServingWarmup.BATCH);
                int textPrompt = steps.get(0).report().promptTokens(), imagePrompt = steps.get(5).report().promptTokens();
                assertThat(textPrompt).isGreaterThan(20);
                assertThat(imagePrompt).isGreaterThan(20);
                // the batch's prompts differ only in their number
                assertThat(steps.get(1).report().promptTokens()).isBetween(ServingWarmup.BATCH * (textPrompt - 2), ServingWarmup.BATCH * (textPrompt + 2));
                assertThat(steps.get(6).report().promptTokens()).isBetween(ServingWarmup.BATCH * (imagePrompt - 2), ServingWarmup.BATCH * (imagePrompt + 2));
                // and share no prefix blocks beyond the template's opening, so they are prefilled together
                assertThat(served.engine().metrics().cachedPromptTokens()).isLessThan(textPrompt);
                assertThat(steps).extracting(s -> s.report().generatedTokens())
                        .containsExactly(16, 16 * ServingWarmup.BATCH, 16, 16, 16, 16, 16 * ServingWarmup.BATCH);
                assertThat(served.engine().metrics().finishedRequests(StopReason.MAX_TOKENS)).isEqualTo(5 + 2L * ServingWarmup.BATCH);
                // the batches ran their sequences side by side: one after another, the 13 requests' 16 tokens each
                // would take at least 208 steps; together they take about 17 per round
                assertThat(served.engine().metrics().steps()).isLessThan(150);
            } finally {
                served.engine().close();
            }
        }
    }

    @Test
    void aTextModelWarmsUpOnText() throws Exception {
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"))) {
            ServedModel served = served(rt, 1024);
            try {
                List<ServingWarmup.Step> steps = ServingWarmup.run(served);
                assertThat(steps).extracting(ServingWarmup.Step::what)
                        .containsExactly("text", "text x" + ServingWarmup.BATCH, "short text", "short text", "short text");
                assertThat(served.engine().metrics().generatedTokens())
                        .isEqualTo((1L + ServingWarmup.BATCH + ServingWarmup.SHORT_ROUNDS) * ServingWarmup.DECODE_TOKENS);
                // the short chats' prompts fall in the 4-row tiles' range (16-31 tokens), with odd and even lengths
                List<Integer> shortPrompts = steps.subList(2, 5).stream().map(st -> st.report().promptTokens()).toList();
                assertThat(shortPrompts).allSatisfy(n -> assertThat(n).isBetween(16, 31)).doesNotHaveDuplicates();
                assertThat(shortPrompts).anySatisfy(n -> assertThat(n % 2).isZero()).anySatisfy(n -> assertThat(n % 2).isOne());
            } finally {
                served.engine().close();
            }
        }
    }

    @Test
    void theBatchIsNoLargerThanTheEngineLetsWait() throws Exception {
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"))) {
            ServedModel served = ServedModel.start("m", rt, EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxWaiting(2));
            try {
                List<ServingWarmup.Step> steps = ServingWarmup.run(served);
                assertThat(steps).extracting(ServingWarmup.Step::what).containsExactly("text", "text x2", "short text", "short text", "short text");
                assertThat(served.engine().metrics().rejectedRequests()).isZero();
            } finally {
                served.engine().close();
            }
        }
    }

    @Test
    void promptsTheKvBudgetCannotHoldAreLeftOut() throws Exception {
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"))) {
            ServedModel big = served(rt, 1024);
            long bytesPerToken = (64L << 20) / big.engine().kvCapacityTokens();
            big.engine().close();
            ServedModel served = ServedModel.start("m", rt, EngineConfig.defaults().withKvBudgetBytes(56 * bytesPerToken).withMaxModelLen(1024));
            try {
                assertThat(served.engine().kvCapacityTokens()).as("KV capacity").isBetween(45L, 65L);
                // the long chats (49 tokens and 16 more) do not fit, the short ones (25-28 and 16) do
                List<ServingWarmup.Step> steps = ServingWarmup.run(served);
                assertThat(steps).extracting(ServingWarmup.Step::what).containsOnly("short text").hasSize(ServingWarmup.SHORT_ROUNDS);
                assertThat(served.engine().metrics().rejectedRequests()).isZero();
            } finally {
                served.engine().close();
            }
        }
    }

    @Test
    void stepsWhosePromptDoesNotFitAreLeftOut() throws Exception {
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"))) {
            ServedModel served = served(rt, 32);
            try {
                assertThat(ServingWarmup.run(served)).isEmpty();
                assertThat(served.engine().metrics().promptTokens()).isZero();
            } finally {
                served.engine().close();
            }
        }
    }
}
