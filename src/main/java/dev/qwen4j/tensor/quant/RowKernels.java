package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.F;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decode kernels that take a range of rows at once (rather than one row per call), so per-call work is
 * shared by the rows: the activation sums that fold out the K-quants' offsets and mins, and a scratch for
 * the unpacked scales. They are written for 16 f32 lanes, one K-quant scale group per vector, with constant
 * part numbers (the Vector API intrinsics need them at parse time); on narrower machines {@link #supports}
 * is false and the per-row {@link QuantRows#dot} kernels run instead.
 *
 * <p>Why: measured on Zen 4, the per-row K-quant kernels spent more instructions on extracting scales and
 * on bounds checks than on arithmetic; these run Q6_K ~1.8× and Q4_K ~1.4× faster on one core. Q8_0 and
 * Q4_0 have one f16 scale per 32 values and no offsets to fold; their row kernels are as fast as the
 * per-row dot, and exist for a second reason that holds for all four: a kernel whose bytecode exceeds C2's
 * inlining limit (325 bytes) is always compiled as its own root. A small per-row kernel gets inlined into
 * whatever hot caller C2 compiles next (WeightMatrix.matvec → MatMul → Parallel → ...), and at that depth
 * the Vector API's own call chains pass MaxInlineLevel, their intrinsics fail and every vector is boxed:
 * the Q8_0 matrix-vector product went from 0.2 to 1.0 ms per call mid-run that way.
 *
 * <p>Callers keep calls short ({@code QuantMatMul} passes at most 32 rows): a kernel entered rarely and
 * looping long runs as an on-stack-replacement compilation, which C2 also builds without the intrinsics.
 */
public final class RowKernels {
    private RowKernels() {}

    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final boolean SIXTEEN_LANES = F.length() == 16;

    /** Whether {@link #matvec} has a kernel for t on this machine. */
    public static boolean supports(DType t) {
        return SIXTEEN_LANES && switch (t) {
            case Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS -> true;
            default -> false;
        };
    }

    /** Whether the kernel for t reads activation sums ({@link #sums}). */
    public static boolean needsSums(DType t) {
        return t == DType.Q4_K || t == DType.Q5_K || t == DType.Q6_K;
    }

    /**
     * The activation sums the kernel for t reads: Σ x per group of this many values (Q6_K's 16-value
     * scale groups, Q4_K's 32-value sub-blocks).
     */
    public static int sumGroup(DType t) {
        return t == DType.Q4_K || t == DType.Q5_K ? 32 : 16;
    }

    /** sums[so + g] = Σ x[xo + group·g .. xo + group·(g + 1)) for g &lt; cols / group; group is 16 or 32. */
    public static void sums(float[] x, int xo, int cols, int group, float[] sums, int so) {
        for (int g = 0; g < cols / group; g++) {
            int o = xo + group * g;
            if (SIXTEEN_LANES) {
                FloatVector v = FloatVector.fromArray(F, x, o);
                if (group == 32) v = v.add(FloatVector.fromArray(F, x, o + 16));
                sums[so + g] = v.reduceLanes(VectorOperators.ADD);
            } else {
                float s = 0f;
                for (int i = 0; i < group; i++) s += x[o + i];
                sums[so + g] = s;
            }
        }
    }

    /**
     * out[oo + r] = Σ_c W[r, c]·x[xo + c] for rows [from, to) of a row-major matrix of block type t with
     * rowBytes per row. sums[so..] holds {@link #sums} of the same x in groups of {@link #sumGroup}; scratch
     * holds at least 16 floats.
     */
    public static void matvec(DType t, MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo,
            float[] sums, int so, float[] out, int oo, float[] scratch) {
        switch (t) {
            case Q8_0 -> Q8_0.matvec16(w, rowBytes, cols, from, to, x, xo, out, oo);
            case Q4_0 -> Q4_0.matvec16(w, rowBytes, cols, from, to, x, xo, out, oo);
            case Q5_0 -> Q5_0.matvec16(w, rowBytes, cols, from, to, x, xo, out, oo);
            case Q4_K -> Q4_K.matvec16(w, rowBytes, cols, from, to, x, xo, sums, so, out, oo);
            case Q5_K -> Q5_K.matvec16(w, rowBytes, cols, from, to, x, xo, sums, so, out, oo);
            case Q6_K -> Q6_K.matvec16(w, rowBytes, cols, from, to, x, xo, sums, so, out, oo, scratch);
            case IQ4_NL -> IQ4_NL.matvec16(w, rowBytes, cols, from, to, x, xo, out, oo);
            case IQ4_XS -> IQ4_XS.matvec16(w, rowBytes, cols, from, to, x, xo, out, oo);
            default -> throw new IllegalArgumentException("no row kernel for " + t);
        }
    }
}
