package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scatter into pixel_values against a direct evaluation of the patch permutation, for other geometries too. */
class PatchifierTest {
    @Test
    void qwen2StyleGeometryAndClipConstants() {
        // patch 14, merge 2, temporal 2, CLIP mean/std, 3 frames (padded to 4): nothing may assume 16/2/0.5
        ProcessorConfig cfg = new ProcessorConfig(14, 2, 2, new float[] {0.48145466f, 0.4578275f, 0.40821073f},
                new float[] {0.26862954f, 0.26130258f, 0.27577711f}, true, 1 / 255.0, true, 1, 1 << 30, true, 2, 4, 768);
        check(cfg, 56, 84, 3);
    }

    @Test
    void temporalPatchOfThreeAndMergeOfOne() {
        ProcessorConfig cfg = new ProcessorConfig(8, 3, 1, new float[] {0.1f, 0.2f, 0.3f}, new float[] {0.5f, 0.25f, 2f},
                true, 1 / 255.0, true, 1, 1 << 30, true, 2, 4, 768);
        check(cfg, 24, 16, 4); // 4 frames -> padded to 6
    }

    private static void check(ProcessorConfig cfg, int h, int w, int frames) {
        SplittableRandom rnd = new SplittableRandom(h * 31L + w);
        List<RgbImage> fs = new java.util.ArrayList<>();
        for (int i = 0; i < frames; i++) {
            byte[] px = new byte[h * w * 3];
            rnd.nextBytes(px);
            fs.add(new RgbImage(w, h, px));
        }
        Patchifier p = new Patchifier(cfg, h, w, frames);
        for (int i = 0; i < frames; i++) p.put(i, fs.get(i));
        VisionInput got = p.finish();

        int P = cfg.patchSize(), M = cfg.mergeSize(), T = cfg.temporalPatchSize();
        int tPad = (frames + T - 1) / T * T;
        int gh = h / P, gw = w / P;
        assertThat(got.gridThw()).containsExactly(tPad / T, gh, gw);
        assertThat(got.numTokens()).isEqualTo(tPad / T * gh * gw / (M * M));
        float[] want = new float[got.pixelValues().length];
        int dim = 3 * T * P * P;
        for (int ta = 0; ta < tPad; ta++) {
            RgbImage f = fs.get(Math.min(ta, frames - 1));
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int gy = y / P, gx = x / P;
                        int row = (((ta / T) * (gh / M) + gy / M) * (gw / M) + gx / M) * M * M + (gy % M) * M + gx % M;
                        int col = ((c * T + ta % T) * P + y % P) * P + x % P;
                        float v = (float) (f.get(x, y, c) * (1 / 255.0));
                        want[row * dim + col] = (v - cfg.mean()[c]) / cfg.std()[c];
                    }
        }
        assertThat(got.pixelValues()).containsExactly(want);
    }
}
