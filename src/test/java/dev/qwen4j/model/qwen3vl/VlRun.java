package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisionLanguageModel;
import java.util.List;

/** Test driver: chunked multimodal prefill and greedy decode over one sequence, as a runtime would. */
final class VlRun {
    record Prefilled(float[] logits, KvCache cache) {}

    private VlRun() {}

    static Prefilled prefill(VisionLanguageModel model, MultimodalPrompt p, int chunk) {
        KvBlockPool pool = model.newKvPool(16, 0);
        KvCache cache = new KvCache(pool, model.contextLength());
        ForwardBatch b = new ForwardBatch();
        float[] logits = null;
        for (int from = 0; from < p.length(); from += chunk) {
            int to = Math.min(p.length(), from + chunk);
            b.clear();
            p.addChunk(b, cache, from, to, to == p.length());
            logits = model.forward(b);
        }
        return new Prefilled(logits, cache);
    }

    /** Greedy tokens; positionsOut receives the (T, H, W) position of every token fed back. */
    static int[] greedy(VisionLanguageModel model, MultimodalPrompt p, int chunk, int steps, List<int[]> positionsOut) {
        Prefilled pre = prefill(model, p, chunk);
        try (KvCache cache = pre.cache()) {
            float[] logits = pre.logits();
            int[] out = new int[steps];
            ForwardBatch b = new ForwardBatch();
            for (int s = 0; s < steps; s++) {
                out[s] = argmax(logits);
                if (s + 1 == steps) break;
                b.clear();
                int pos = MultimodalPrompt.decodePosition(cache.length(), p.ropeDelta());
                positionsOut.add(new int[] {pos, pos, pos});
                b.add(cache, out[s], cache.length(), true, pos, pos, pos);
                logits = model.forward(b);
            }
            return out;
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
