package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.layers.DenseMlp;
import dev.qwen4j.model.layers.SparseMoe;
import dev.qwen4j.model.qwen3.Qwen3Config;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Qwen3-VL-MoE's fused, input-major expert tensors (spec §4.6, pitfall 16):
 * `mlp.experts.gate_up_proj` [E, H, 2·Im] (gate columns first, then up) and `mlp.experts.down_proj`
 * [E, Im, H], both used as x·W. The matmul kernels take nn.Linear's [out, in] layout, so each expert's
 * slices are transposed once at load into off-heap memory of the same dtype (freed with the model).
 * The router always renormalises the top-k probabilities in this family.
 */
final class FusedExperts {
    private FusedExperts() {}

    static boolean present(TensorStore s, String p) {
        return s.has(p + "mlp.experts.gate_up_proj");
    }

    static SparseMoe load(TensorStore s, String p, Qwen3Config c) {
        int e = c.numExperts(), h = c.hiddenSize(), im = c.moeIntermediateSize();
        TensorInfo gateUp = check(s, p + "mlp.experts.gate_up_proj", e, h, 2L * im);
        TensorInfo down = check(s, p + "mlp.experts.down_proj", e, im, h);
        if (gateUp.dtype() != down.dtype()) {
            throw new ModelFormatException(gateUp.file() + ": '" + gateUp.name() + "' and '" + down.name() + "' have different dtypes");
        }
        int bytes = gateUp.dtype().bytes();
        Arena arena = Arena.ofAuto(); // lives as long as the matrices reference it
        DenseMlp[] experts = new DenseMlp[e];
        Parallel.forRange(e, 1, (from, to) -> {
            for (int x = from; x < to; x++) {
                long gateUpBase = (long) x * h * 2 * im, downBase = (long) x * im * h;
                // gate[j, k] = gate_up[x, k, j]; up[j, k] = gate_up[x, k, Im + j]; down[k, j] = down_proj[x, j, k]
                MemorySegment gate = transpose(arena, gateUp.data(), gateUpBase, h, 2 * im, 0, im, bytes);
                MemorySegment up = transpose(arena, gateUp.data(), gateUpBase, h, 2 * im, im, im, bytes);
                MemorySegment dn = transpose(arena, down.data(), downBase, im, h, 0, h, bytes);
                String ep = p + "mlp.experts." + x + ".";
                experts[x] = new DenseMlp(new WeightMatrix(ep + "gate", gate, gateUp.dtype(), im, h),
                        new WeightMatrix(ep + "up", up, gateUp.dtype(), im, h),
                        new WeightMatrix(ep + "down", dn, down.dtype(), h, im));
            }
        });
        return new SparseMoe(s.matrix(p + "mlp.gate.weight", e, h), experts, c.numExpertsPerToken(), true);
    }

    /**
     * The transpose of columns [col0, col0 + cols) of the row-major [rows, width] matrix starting at
     * element base of src: a [cols, rows] matrix.
     */
    private static MemorySegment transpose(Arena arena, MemorySegment src, long base, int rows, int width, int col0, int cols, int bytes) {
        MemorySegment dst;
        synchronized (arena) {
            dst = arena.allocate((long) rows * cols * bytes, 64);
        }
        if (bytes == 2) {
            ValueLayout.OfShort l = ValueLayout.JAVA_SHORT_UNALIGNED;
            for (int j = 0; j < cols; j++) {
                for (int k = 0; k < rows; k++) dst.setAtIndex(l, (long) j * rows + k, src.getAtIndex(l, base + (long) k * width + col0 + j));
            }
        } else {
            ValueLayout.OfInt l = ValueLayout.JAVA_INT_UNALIGNED;
            for (int j = 0; j < cols; j++) {
                for (int k = 0; k < rows; k++) dst.setAtIndex(l, (long) j * rows + k, src.getAtIndex(l, base + (long) k * width + col0 + j));
            }
        }
        return dst;
    }

    private static TensorInfo check(TensorStore s, String name, long... shape) {
        TensorInfo t = s.require(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(t.file() + ": tensor '" + name + "' has shape " + t.shapeString()
                    + " but the config implies " + Arrays.toString(shape));
        }
        if (t.dtype() == null) throw new ModelFormatException(t.file() + ": tensor '" + name + "' has unsupported dtype " + t.dtypeName());
        return t;
    }
}
