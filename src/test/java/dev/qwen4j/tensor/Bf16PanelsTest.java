package dev.qwen4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pre-packed BF16 panel kernel gives the same bits as the packing kernel ({@link Gemm}) it stands in
 * for, for every token count its micro-kernels split into, partial row blocks, K chunks and offsets; and
 * the dispatch uses it only once a matrix is packed, without changing results.
 */
class Bf16PanelsTest {
    private static final float SENTINEL = 12345.678f;
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @Test
    void panelsEqualPackedKernelBitForBit() {
        Random rnd = new Random(42);
        int[][] shapes = {{1, 1}, {5, 7}, {32, 16}, {33, 64}, {64, 129}, {70, 300}, {96, Gemm.KC_MAX + 76},
                {37, 2 * Gemm.KC_MAX + 52}};
        for (int[] s : shapes) {
            for (int n = 1; n <= 20; n++) {
                Parallel.setThreads(1 + (n + s[0]) % 3);
                check(rnd, s[0], s[1], n, (n & 1) == 0 ? 2 : 6);
            }
        }
        Parallel.setThreads(2);
        for (int n : new int[] {Bf16Panels.WIDEN_MIN_N - 1, Bf16Panels.WIDEN_MIN_N, Bf16Panels.WIDEN_MIN_N + 5, 64}) {
            check(rnd, 257, 40, n, 2); // widened chunks (prefill) and the in-kernel widening just below
            check(rnd, 37, 2 * Gemm.KC_MAX + 52, n, 6);
        }
    }

    @Test
    void dispatchUsesPanelsOnlyAfterPackingAndResultsStayTheSame() {
        Random rnd = new Random(5);
        Parallel.setThreads(2);
        WeightMatrix w = TestWeights.random(rnd, DType.BF16, 65, 200, 2);
        float[] x = TestWeights.randomArray(rnd, 16 * 200, 2f);
        for (int n : new int[] {1, 7, 8, 16}) {
            float[] before = new float[n * 65], after = new float[n * 65];
            w.matmul(x, 0, before, 0, n);
            w.packForBatches();
            w.matmul(x, 0, after, 0, n);
            assertThat(after).as("n=%d", n).isEqualTo(before);
        }
        assertThat(w.packForBatches()).isZero(); // once only
        WeightMatrix f32 = TestWeights.random(rnd, DType.F32, 4, 8, 2);
        assertThat(f32.packForBatches()).isZero();
        assertThat(f32.panels()).isNull();
        assertThatThrownBy(() -> MatMul.matmulPanels(f32, new float[8], 0, new float[4], 0, 1))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void check(Random rnd, int rows, int cols, int n, int byteOffset) {
        WeightMatrix w = TestWeights.random(rnd, DType.BF16, rows, cols, byteOffset);
        w.packForBatches();
        int xOff = rnd.nextInt(5), outOff = rnd.nextInt(5);
        float[] x = TestWeights.randomArray(rnd, xOff + n * cols + 3, 2f);
        float[] packed = run(w, x, xOff, outOff, n, false);
        float[] panels = run(w, x, xOff, outOff, n, true);
        if (!Arrays.equals(packed, panels)) {
            for (int i = 0; i < packed.length; i++) {
                assertThat(Float.floatToRawIntBits(panels[i])).as("[%d, %d] n=%d at %d", rows, cols, n, i)
                        .isEqualTo(Float.floatToRawIntBits(packed[i]));
            }
        }
    }

    private static float[] run(WeightMatrix w, float[] x, int xOff, int outOff, int n, boolean panels) {
        float[] out = new float[outOff + n * w.rows() + 4];
        Arrays.fill(out, SENTINEL);
        if (panels) MatMul.matmulPanels(w, x, xOff, out, outOff, n);
        else MatMul.matmulPacked(w, x, xOff, out, outOff, n);
        return out;
    }
}
