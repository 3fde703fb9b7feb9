package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.VisionEncoding;
import dev.qwen4j.tensor.WeightMatrix;
import java.util.Arrays;

/**
 * The Qwen3-VL vision encoder (`model.visual.*`, spec §3.4):
 * <pre>
 *   x = pixels·W_patchᵀ + b + PosEmbed(grid)            Conv3d with kernel = stride is a linear map
 *   for b in blocks:  x = Block_b(x)                      full attention inside each image / frame group
 *                     if b is the k-th DeepStack tap:  ds_k = DeepstackMerger_k(x)
 *   embeds = Merger(x)                                    one row per 2×2 window, LLM width
 * </pre>
 */
public final class VisionTower {
    private final VisionConfig c;
    private final WeightMatrix patchEmbed; // [Hv, C·Tp·P·P], the Conv3d kernel flattened in (c, τ, y, x) order
    private final float[] patchBias;
    private final VisionPositionEmbedding positions;
    private final VisionRotary rotary;
    private final VisionBlock[] blocks;
    private final PatchMerger merger;
    private final PatchMerger[] deepstackMergers;

    public VisionTower(TensorStore s, String prefix, VisionConfig c) {
        this.c = c;
        int hv = c.hiddenSize();
        String pw = prefix + "patch_embed.proj.weight";
        TensorInfo conv = s.require(pw);
        long[] want = {hv, c.inChannels(), c.temporalPatchSize(), c.patchSize(), c.patchSize()};
        if (!Arrays.equals(conv.shape(), want)) {
            throw new ModelFormatException(conv.file() + ": tensor '" + pw + "' has shape " + conv.shapeString()
                    + " but vision_config implies " + Arrays.toString(want));
        }
        if (conv.dtype() == null) throw new ModelFormatException(conv.file() + ": tensor '" + pw + "' has unsupported dtype " + conv.dtypeName());
        this.patchEmbed = new WeightMatrix(pw, conv.data(), conv.dtype(), hv, c.patchDim());
        this.patchBias = s.vector(prefix + "patch_embed.proj.bias", hv);
        this.positions = new VisionPositionEmbedding(s.matrix(prefix + "pos_embed.weight", c.numPositionEmbeddings(), hv),
                c.positionGridSide(), c.spatialMergeSize());
        this.rotary = new VisionRotary(c.headDim(), c.spatialMergeSize());
        this.blocks = new VisionBlock[c.depth()];
        for (int b = 0; b < blocks.length; b++) blocks[b] = new VisionBlock(s, prefix + "blocks." + b + ".", c);
        this.merger = PatchMerger.finalMerger(s, prefix + "merger.", c);
        this.deepstackMergers = new PatchMerger[c.deepstackVisualIndexes().length];
        for (int k = 0; k < deepstackMergers.length; k++) {
            deepstackMergers[k] = PatchMerger.deepstackMerger(s, prefix + "deepstack_merger_list." + k + ".", c);
        }
    }

    public VisionConfig config() {
        return c;
    }

    /** Merged tokens the items (t, h, w triples) produce: Σ t·h·w / M². */
    public int tokensFor(int[] gridThw) {
        return patchesFor(gridThw) / (c.spatialMergeSize() * c.spatialMergeSize());
    }

    /**
     * Encodes items given as concatenated pixel rows and their grids (t, h, w triples, in row order).
     * Every item is attended separately (and every temporal group of a video), so one call for several
     * items equals one call per item.
     */
    public VisionEncoding encode(float[] pixelValues, int[] gridThw) {
        int n = checkInput(pixelValues, gridThw);
        float[] x = patchEmbeddings(pixelValues, n);
        positions.addTo(x, gridThw);
        float[][] rope = rotary.tables(gridThw);
        int[] bounds = segments(gridThw);
        int[] taps = c.deepstackVisualIndexes();
        float[][] deepstack = new float[taps.length][];
        for (int b = 0; b < blocks.length; b++) {
            blocks[b].forward(x, n, rotary, rope[0], rope[1], bounds);
            for (int k = 0; k < taps.length; k++) if (taps[k] == b) deepstack[k] = deepstackMergers[k].forward(x, n);
        }
        float[] embeds = merger.forward(x, n);
        return new VisionEncoding(n / (c.spatialMergeSize() * c.spatialMergeSize()), c.outHiddenSize(), embeds, deepstack);
    }

    /** Conv3d patch embedding: [n × Hv]. */
    public float[] patchEmbeddings(float[] pixelValues, int n) {
        int hv = c.hiddenSize();
        float[] x = new float[n * hv];
        new Linear(patchEmbed, patchBias).apply(pixelValues, x, n);
        return x;
    }

    /** The interpolated position embeddings alone, in merge-window order: [Σ t·h·w × Hv]. */
    public float[] positionEmbeddings(int[] gridThw) {
        float[] out = new float[patchesFor(gridThw) * c.hiddenSize()];
        positions.addTo(out, gridThw);
        return out;
    }

    /** cu_seqlens: one attention segment of h·w patches per temporal group of every item. */
    static int[] segments(int[] gridThw) {
        int groups = 0;
        for (int i = 0; i < gridThw.length; i += 3) groups += gridThw[i];
        int[] bounds = new int[groups + 1];
        int g = 0;
        for (int i = 0; i < gridThw.length; i += 3) {
            for (int t = 0; t < gridThw[i]; t++, g++) bounds[g + 1] = bounds[g] + gridThw[i + 1] * gridThw[i + 2];
        }
        return bounds;
    }

    private int patchesFor(int[] gridThw) {
        if (gridThw.length == 0 || gridThw.length % 3 != 0) {
            throw new IllegalArgumentException("grid_thw must hold (t, h, w) triples, got " + gridThw.length + " values");
        }
        int n = 0, m = c.spatialMergeSize();
        for (int i = 0; i < gridThw.length; i += 3) {
            int t = gridThw[i], h = gridThw[i + 1], w = gridThw[i + 2];
            if (t < 1 || h < 1 || w < 1 || h % m != 0 || w % m != 0) {
                throw new IllegalArgumentException("grid (t, h, w) = (" + t + ", " + h + ", " + w + ") of item " + i / 3
                        + ": all must be positive and h, w multiples of spatial_merge_size " + m);
            }
            n = Math.addExact(n, Math.multiplyExact(t, Math.multiplyExact(h, w)));
        }
        return n;
    }

    private int checkInput(float[] pixelValues, int[] gridThw) {
        int n = patchesFor(gridThw);
        if ((long) n * c.patchDim() != pixelValues.length) {
            throw new IllegalArgumentException("pixel_values has " + pixelValues.length + " values, but grids "
                    + Arrays.toString(gridThw) + " need " + n + " patches × " + c.patchDim());
        }
        return n;
    }
}
