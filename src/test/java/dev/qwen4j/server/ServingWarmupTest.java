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
                assertThat(steps).extracting(ServingWarmup.Step::what).containsExactly("text", "text", "image", "image");
                int textPrompt = steps.get(0).report().promptTokens(), imagePrompt = steps.get(2).report().promptTokens();
                // the image prompt holds the image's placeholder tokens: a 64x48 image is at least a few merged patches
                assertThat(imagePrompt).isGreaterThan(20);
                assertThat(textPrompt).isGreaterThan(20);
                for (ServingWarmup.Step s : steps) assertThat(s.report().generatedTokens()).isEqualTo(ServingWarmup.DECODE_TOKENS);
                assertThat(served.engine().metrics().finishedRequests(StopReason.MAX_TOKENS)).isEqualTo(4);
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
                assertThat(steps).extracting(ServingWarmup.Step::what).containsExactly("text", "text");
                assertThat(served.engine().metrics().generatedTokens()).isEqualTo(2L * ServingWarmup.DECODE_TOKENS);
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
