package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SmartResizeTest {
    private static final long MIN = 65536, MAX = 16777216;

    /** The spec's verified table (transformers v5, F = 32) plus the half-to-even cases. */
    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({
            "1365, 2048, 1376, 2048",
            "1080, 1920, 1088, 1920",
            "50, 100, 192, 384",     // upscaled to reach min_pixels
            "3000, 4000, 3008, 4000",
            "8000, 6000, 4704, 3520", // downscaled to fit max_pixels
            "336, 400, 320, 384",    // 10.5 -> 10 and 12.5 -> 12 (half-to-even, Math.round would give 352x416)
            "720, 1280, 704, 1280",  // 22.5 -> 22
            "80, 1280, 64, 1280",    // 2.5 -> 2 (Math.round would give 96)
            "32, 32, 256, 256",
            "60, 100, 224, 352",
            "181, 257, 224, 320",
    })
    void imageTargets(int h, int w, int eh, int ew) {
        assertThat(SmartResize.image(h, w, 32, MIN, MAX)).isEqualTo(new ResizeTarget(eh, ew));
    }

    @Test
    void resultIsAlwaysAMultipleOfFactorWithinLimitsForOrdinaryImages() {
        for (int h = 20; h < 3000; h += 37) {
            for (int w = 20; w < 3000; w += 53) {
                if ((double) Math.max(h, w) / Math.min(h, w) > 20) continue;
                ResizeTarget t = SmartResize.image(h, w, 32, MIN, MAX);
                assertThat(t.height() % 32).isZero();
                assertThat(t.width() % 32).isZero();
                assertThat((long) t.height() * t.width()).isBetween(MIN, MAX);
            }
        }
    }

    @Test
    void aspectRatioAbove200IsRejectedWithTheSize() {
        assertThatThrownBy(() -> SmartResize.image(10, 2010, 32, MIN, MAX))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aspect ratio").hasMessageContaining("2010x10");
        assertThat(SmartResize.image(10, 2000, 32, MIN, MAX).width() % 32).isZero(); // exactly 200 is allowed
    }

    @Test
    void perCallLimitsChangeTheTarget() {
        assertThat(SmartResize.image(50, 100, 32, 4096, MAX)).isEqualTo(new ResizeTarget(64, 96));
        ResizeTarget small = SmartResize.image(1080, 1920, 32, 4096, 256 * 32 * 32);
        assertThat((long) small.height() * small.width()).isLessThanOrEqualTo(256 * 32 * 32);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> SmartResize.image(0, 10, 32, MIN, MAX)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmartResize.image(10, 10, 32, MAX, MIN)).hasMessageContaining("min_pixels");
    }

    /** Video budgets are totals over T·H·W; the spec's worked examples. */
    @ParameterizedTest(name = "{0} frames of {1}x{2} -> {3}x{4}")
    @CsvSource({
            "20, 720, 1280, 704, 1280",
            "120, 720, 1280, 320, 608",
            "768, 1080, 1920, 128, 224",
            "4, 64, 64, 64, 64",
            "5, 16, 8, 64, 32",      // frames below the factor are first scaled up (16x8 -> 64x32)
    })
    void videoTargets(int t, int h, int w, int eh, int ew) {
        assertThat(SmartResize.video(t, h, w, 2, 32, 4096, 25165824)).isEqualTo(new ResizeTarget(eh, ew));
    }

    @Test
    void videoNeedsAtLeastTemporalFactorFrames() {
        assertThatThrownBy(() -> SmartResize.video(1, 64, 64, 2, 32, 4096, 25165824)).hasMessageContaining("at least 2 frames");
    }
}
