package dev.qwen4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vectorised NEOX rotation against the scalar formula (bit-exact: both round a·cos and b·sin
 * separately, no fused multiply-add), for head sizes with and without a scalar tail, and the angle
 * table rows against single-token angles.
 */
class RotaryEmbeddingTest {
    private static RopeConfig plain() {
        return new RopeConfig(1_000_000.0, "default", 1.0, 0, 32, 1, 1.0, null);
    }

    @Test
    void rotationMatchesScalarFormula() {
        Random rnd = new Random(4);
        for (int headDim : new int[] {128, 64, 40, 18}) {
            RotaryEmbedding rope = new RotaryEmbedding(headDim, plain());
            int half = headDim / 2, heads = 3, tokens = 4;
            float[] cos = new float[tokens * half], sin = new float[tokens * half];
            int[] positions = {0, 7, 100, 5000};
            for (int t = 0; t < tokens; t++) rope.angles(positions, t, tokens, cos, sin, t * half);
            float[] x = new float[tokens * heads * headDim + 3];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
            float[] want = x.clone();
            for (int t = 0; t < tokens; t++) {
                float[] c1 = new float[half], s1 = new float[half];
                rope.angles(positions, t, tokens, c1, s1);
                for (int j = 0; j < half; j++) {
                    assertEquals(c1[j], cos[t * half + j], "cos table row");
                    assertEquals(s1[j], sin[t * half + j], "sin table row");
                }
                for (int h = 0; h < heads; h++) {
                    int base = 1 + (t * heads + h) * headDim;
                    for (int j = 0; j < half; j++) {
                        float a = want[base + j], b = want[base + j + half];
                        want[base + j] = a * c1[j] - b * s1[j];
                        want[base + j + half] = b * c1[j] + a * s1[j];
                    }
                }
                rope.rotate(x, 1 + t * heads * headDim, heads, cos, sin, t * half);
            }
            for (int i = 0; i < x.length; i++) assertEquals(want[i], x[i], "headDim " + headDim + " element " + i);
        }
    }
}
