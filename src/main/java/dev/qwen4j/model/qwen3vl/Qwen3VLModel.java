package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.ContextOverflowException;
import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisionEncoding;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.model.VisionLanguageModel;
import dev.qwen4j.model.layers.FeedForward;
import dev.qwen4j.model.qwen3.Qwen3Model;
import dev.qwen4j.tensor.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * Qwen3-VL and Qwen3-VL-MoE (spec §4): the Qwen3 decoder under `model.language_model.*` with
 * interleaved M-RoPE, plus the vision tower under `model.visual.*`.
 * <pre>
 *   h = embed(ids);  h[pad positions] = vision embeddings, in order          (replace, not add)
 *   for layer l:     h = Layer_l(h);  if l < K:  h[visual positions] += deepstack_l
 * </pre>
 */
public final class Qwen3VLModel extends Qwen3Model implements VisionLanguageModel {
    /** Sees the hidden states after each decoder layer (after DeepStack): for debugging and tests. */
    @FunctionalInterface
    public interface LayerObserver {
        void layerOutput(int layer, float[] hidden, int tokens);
    }

    private final Qwen3VLConfig vlConfig;
    private final VisionTower vision;
    private LayerObserver observer;

    public Qwen3VLModel(Qwen3VLConfig config, TensorStore store) {
        super(config.text(), store, "model.language_model.");
        this.vlConfig = config;
        this.vision = new VisionTower(store, "model.visual.", config.vision());
    }

    /** Qwen3-VL-MoE checkpoints fuse the experts; fall back to per-expert tensors when those are present. */
    @Override
    protected FeedForward loadSparseFeedForward(TensorStore s, String p, int layer) {
        if (FusedExperts.present(s, p)) return FusedExperts.load(s, p, config);
        return super.loadSparseFeedForward(s, p, layer);
    }

    public Qwen3VLConfig vlConfig() {
        return vlConfig;
    }

    public VisionTower visionTower() {
        return vision;
    }

    public void setLayerObserver(LayerObserver observer) {
        this.observer = observer;
    }

    @Override
    protected void afterLayer(int layer, ForwardBatch batch, float[] hidden) {
        float[][] ds = batch.deepstack();
        int hd = config.hiddenSize();
        if (ds != null && layer < ds.length) {
            for (int t = 0; t < batch.size(); t++) {
                if (batch.overridesRow(t)) Ops.addInPlace(hidden, t * hd, ds[layer], t * hd, hd);
            }
        }
        if (observer != null) observer.layerOutput(layer, hidden, batch.size());
    }

    @Override
    public VisionEncoding encode(VisualPatches input) {
        return vision.encode(input.pixelValues(), input.gridThw());
    }

    @Override
    public MultimodalPrompt prepare(int[] ids, List<VisualPatches> images, List<VisualPatches> videos) {
        int visualTokens = 0;
        for (VisualPatches v : images) visualTokens += tokensFor(v.gridThw());
        for (VisualPatches v : videos) visualTokens += tokensFor(v.gridThw());
        if (ids.length > contextLength()) {
            throw new ContextOverflowException(ids.length, contextLength(), "the prompt holds " + visualTokens
                    + " visual tokens for " + images.size() + " images and " + videos.size() + " videos; use smaller images");
        }
        // positions first: it checks the pad runs against the grids before any vision work
        RopeIndex rope = RopeIndex.compute(ids, grids(images), grids(videos), vlConfig.vision().spatialMergeSize(),
                imageTokenId(), videoTokenId());
        int hd = config.hiddenSize();
        int levels = vlConfig.vision().deepstackVisualIndexes().length;
        float[] embeds = new float[visualTokens * hd];
        float[][] deepstack = new float[levels][visualTokens * hd];
        boolean[] visual = new boolean[ids.length];
        // one tower call per kind: more rows per matmul; attention stays per item
        VisionEncoding imageRows = encodeAll(images), videoRows = encodeAll(videos);
        int row = 0, nextImage = 0, nextVideo = 0;
        for (int i = 0; i < ids.length; i++) {
            VisionEncoding src;
            int r;
            if (ids[i] == imageTokenId()) {
                src = imageRows;
                r = nextImage++;
            } else if (ids[i] == videoTokenId()) {
                src = videoRows;
                r = nextVideo++;
            } else {
                continue;
            }
            visual[i] = true;
            System.arraycopy(src.embeds(), r * hd, embeds, row * hd, hd);
            for (int l = 0; l < levels; l++) System.arraycopy(src.deepstack()[l], r * hd, deepstack[l], row * hd, hd);
            row++;
        }
        return new MultimodalPrompt(ids, rope.positions(), rope.ropeDelta(), visual, hd, embeds, deepstack);
    }

    /** The items' pixel rows and grids concatenated and encoded in one call (null for no items). */
    private VisionEncoding encodeAll(List<VisualPatches> items) {
        if (items.isEmpty()) return null;
        if (items.size() == 1) return encode(items.get(0));
        int values = 0;
        for (VisualPatches v : items) values += v.pixelValues().length;
        float[] pixels = new float[values];
        int[] grids = new int[3 * items.size()];
        int off = 0;
        for (int k = 0; k < items.size(); k++) {
            VisualPatches v = items.get(k);
            System.arraycopy(v.pixelValues(), 0, pixels, off, v.pixelValues().length);
            off += v.pixelValues().length;
            System.arraycopy(v.gridThw(), 0, grids, 3 * k, 3);
        }
        return vision.encode(pixels, grids);
    }

    private static List<int[]> grids(List<VisualPatches> inputs) {
        List<int[]> out = new ArrayList<>();
        for (VisualPatches v : inputs) out.add(v.gridThw());
        return out;
    }

    @Override
    public int tokensFor(int[] gridThw) {
        return vision.tokensFor(gridThw);
    }

    @Override
    public int imageTokenId() {
        return vlConfig.imageTokenId();
    }

    @Override
    public int videoTokenId() {
        return vlConfig.videoTokenId();
    }

    @Override
    public int visionStartTokenId() {
        return vlConfig.visionStartTokenId();
    }

    @Override
    public int visionEndTokenId() {
        return vlConfig.visionEndTokenId();
    }
}
