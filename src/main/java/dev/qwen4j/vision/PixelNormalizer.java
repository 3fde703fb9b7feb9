package dev.qwen4j.vision;

/**
 * Rescale + normalise as transformers does it for uint8 input: {@code f32(f64(v) * rescale_factor)},
 * then {@code (x - mean) / std} in float32. The input has only 256 values per channel, so the whole
 * mapping is a lookup table built once.
 */
final class PixelNormalizer {
    private final float[][] table = new float[3][256];

    PixelNormalizer(ProcessorConfig cfg) {
        float[] mean = cfg.mean(), std = cfg.std();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = cfg.doRescale() ? (float) (v * cfg.rescaleFactor()) : v;
                if (cfg.doNormalize()) x = (x - mean[c]) / std[c];
                table[c][v] = x;
            }
        }
    }

    /** The normalised value of 8-bit sample v (0..255) in channel c. */
    float apply(int c, int v) {
        return table[c][v];
    }

    float[] channel(int c) {
        return table[c];
    }
}
