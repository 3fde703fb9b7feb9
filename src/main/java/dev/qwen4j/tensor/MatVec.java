package dev.qwen4j.tensor;

import static dev.qwen4j.tensor.Halfs.F;
import static dev.qwen4j.tensor.Halfs.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row-streaming kernels for few activation vectors (decode: n = 1, or a handful of tokens). Each
 * weight row is read once, front to back, and dotted with every activation vector while it is
 * still in L1. bf16 matrices whose rows are whole 2·L blocks take {@link PairedBf16} instead (see
 * {@link RowStream}); these kernels serve f32, f16 and other bf16 shapes.
 *
 * <p>Decode is bound by memory bandwidth, and measurements on the target (Zen 4) showed that one
 * sequential stream per thread beats interleaving several rows: rows are contiguous, so walking
 * them one after another is a single linear stream the hardware prefetcher follows across row
 * boundaries, while 4 interleaved rows are 4 short streams (−40% from DRAM). The inner loop feeds
 * 4 independent accumulators, which hides the 4-cycle FMA latency.
 *
 * <p>Loop bodies are kept at 4 vector loads: C2 inlines every Vector API call into a large node
 * graph, and an 8-way unrolled bf16 loop hit NodeCountInliningCutoff, leaving a helper call
 * un-inlined so its vectors were boxed on every iteration (3× slower). Check with
 * -XX:-TieredCompilation -XX:+PrintInlining after changing these loops.
 *
 * <p>Layout: out[outOff + b·rows + r] = Σ_c W[r, c] · x[xOff + b·cols + c] for r in [from, to),
 * b in [0, n).
 */
final class MatVec {
    private MatVec() {}

    private static final int L = F.length();

    static void rows(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n, int from, int to) {
        MemorySegment seg = w.data();
        int rows = w.rows(), cols = w.cols();
        long rowBytes = (long) cols * w.dtype().bytes();
        for (int r = from; r < to; r++) {
            long off = r * rowBytes;
            int b = 0;
            switch (w.dtype()) {
                case F32 -> {
                    for (; b + 4 <= n; b += 4) dot4F32(seg, off, cols, x, xOff + b * cols, out, outOff + b * rows + r, rows);
                    for (; b < n; b++) out[outOff + b * rows + r] = dotF32(seg, off, cols, x, xOff + b * cols);
                }
                case BF16 -> {
                    for (; b + 4 <= n; b += 4) dot4Bf16(seg, off, cols, x, xOff + b * cols, out, outOff + b * rows + r, rows);
                    for (; b < n; b++) out[outOff + b * rows + r] = dotBf16(seg, off, cols, x, xOff + b * cols);
                }
                case F16 -> {
                    for (; b + 4 <= n; b += 4) dot4F16(seg, off, cols, x, xOff + b * cols, out, outOff + b * rows + r, rows);
                    for (; b < n; b++) out[outOff + b * rows + r] = dotF16(seg, off, cols, x, xOff + b * cols);
                }
            }
        }
    }

    // ---- one activation vector -------------------------------------------------------------------
    // The three variants differ only in how a weight vector is loaded; they are spelled out because a
    // shared loader behind an interface would be a megamorphic call in the innermost loop.

    static float dotF32(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c <= cols - 4 * L; c += 4 * L) {
            long p = off + 4L * c;
            a0 = wF32(w, p).fma(xv(x, xo + c), a0);
            a1 = wF32(w, p + 4L * L).fma(xv(x, xo + c + L), a1);
            a2 = wF32(w, p + 8L * L).fma(xv(x, xo + c + 2 * L), a2);
            a3 = wF32(w, p + 12L * L).fma(xv(x, xo + c + 3 * L), a3);
        }
        for (; c <= cols - L; c += L) a0 = wF32(w, off + 4L * c).fma(xv(x, xo + c), a0);
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) s += w.get(WeightMatrix.F32, off + 4L * c) * x[xo + c];
        return s;
    }

    static float dotBf16(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c <= cols - 4 * L; c += 4 * L) {
            long p = off + 2L * c;
            a0 = Halfs.bf16(w, p).fma(xv(x, xo + c), a0);
            a1 = Halfs.bf16(w, p + 2L * L).fma(xv(x, xo + c + L), a1);
            a2 = Halfs.bf16(w, p + 4L * L).fma(xv(x, xo + c + 2 * L), a2);
            a3 = Halfs.bf16(w, p + 6L * L).fma(xv(x, xo + c + 3 * L), a3);
        }
        for (; c <= cols - L; c += L) a0 = Halfs.bf16(w, off + 2L * c).fma(xv(x, xo + c), a0);
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) s += Halfs.bf16ToFloat(w.get(WeightMatrix.I16, off + 2L * c)) * x[xo + c];
        return s;
    }

    static float dotF16(MemorySegment w, long off, int cols, float[] x, int xo) {
        // The f16 conversion is ~9 vector ops, so the body holds 2 loads (4 would exceed C2's inlining
        // node budget, see the class comment); its throughput, not FMA latency, bounds this loop.
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int c = 0;
        for (; c <= cols - 2 * L; c += 2 * L) {
            long p = off + 2L * c;
            a0 = Halfs.f16(w, p).fma(xv(x, xo + c), a0);
            a1 = Halfs.f16(w, p + 2L * L).fma(xv(x, xo + c + L), a1);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        return c == cols ? s : s + dotF16Tail(w, off, c, cols, x, xo);
    }

    /** Columns [c, cols) of a row, fewer than 2·L: kept out of line to keep dotF16 small. */
    private static float dotF16Tail(MemorySegment w, long off, int c, int cols, float[] x, int xo) {
        float s = 0f;
        if (c <= cols - L) {
            s = Halfs.f16(w, off + 2L * c).mul(xv(x, xo + c)).reduceLanes(VectorOperators.ADD);
            c += L;
        }
        for (; c < cols; c++) s += Halfs.f16ToFloat(w.get(WeightMatrix.I16, off + 2L * c)) * x[xo + c];
        return s;
    }

    // ---- four activation vectors: each converted weight vector feeds 4 FMAs ------------------------
    // Activation vectors are cols apart starting at x[xo]; results go to out[o + j·os] for j = 0..3.

    static void dot4F32(MemorySegment w, long off, int cols, float[] x, int xo, float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (; c <= cols - L; c += L) {
            FloatVector wv = wF32(w, off + 4L * c);
            a0 = wv.fma(xv(x, xo + c), a0);
            a1 = wv.fma(xv(x, x1 + c), a1);
            a2 = wv.fma(xv(x, x2 + c), a2);
            a3 = wv.fma(xv(x, x3 + c), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            float v = w.get(WeightMatrix.F32, off + 4L * c);
            s0 += v * x[xo + c];
            s1 += v * x[x1 + c];
            s2 += v * x[x2 + c];
            s3 += v * x[x3 + c];
        }
        out[o] = s0;
        out[o + os] = s1;
        out[o + 2 * os] = s2;
        out[o + 3 * os] = s3;
    }

    static void dot4Bf16(MemorySegment w, long off, int cols, float[] x, int xo, float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (; c <= cols - L; c += L) {
            FloatVector wv = Halfs.bf16(w, off + 2L * c);
            a0 = wv.fma(xv(x, xo + c), a0);
            a1 = wv.fma(xv(x, x1 + c), a1);
            a2 = wv.fma(xv(x, x2 + c), a2);
            a3 = wv.fma(xv(x, x3 + c), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            float v = Halfs.bf16ToFloat(w.get(WeightMatrix.I16, off + 2L * c));
            s0 += v * x[xo + c];
            s1 += v * x[x1 + c];
            s2 += v * x[x2 + c];
            s3 += v * x[x3 + c];
        }
        out[o] = s0;
        out[o + os] = s1;
        out[o + 2 * os] = s2;
        out[o + 3 * os] = s3;
    }

    static void dot4F16(MemorySegment w, long off, int cols, float[] x, int xo, float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (; c <= cols - L; c += L) {
            FloatVector wv = Halfs.f16(w, off + 2L * c);
            a0 = wv.fma(xv(x, xo + c), a0);
            a1 = wv.fma(xv(x, x1 + c), a1);
            a2 = wv.fma(xv(x, x2 + c), a2);
            a3 = wv.fma(xv(x, x3 + c), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            float v = Halfs.f16ToFloat(w.get(WeightMatrix.I16, off + 2L * c));
            s0 += v * x[xo + c];
            s1 += v * x[x1 + c];
            s2 += v * x[x2 + c];
            s3 += v * x[x3 + c];
        }
        out[o] = s0;
        out[o + os] = s1;
        out[o + 2 * os] = s2;
        out[o + 3 * os] = s3;
    }

    private static FloatVector wF32(MemorySegment w, long off) {
        return FloatVector.fromMemorySegment(F, w, off, LE);
    }

    private static FloatVector xv(float[] x, int i) {
        return FloatVector.fromArray(F, x, i);
    }
}
