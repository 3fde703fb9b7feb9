package dev.qwen4j.model.layers;

import static org.junit.jupiter.api.Assertions.fail;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.tensor.Bf16;
import dev.qwen4j.tensor.DType;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vectorised cached-attention kernels (per token and KV head, per token, and query tiles for prefill) against a
 * plain f64 per-head loop, over several sequences in one batch, GQA group sizes 1–4, head sizes that
 * do and do not fill whole vector blocks, and small cache blocks so every sequence crosses block
 * boundaries; with F32 and BF16 caches (the reference widens the stored bf16 values exactly).
 */
class CachedAttentionTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void matchesPerHeadReference(DType kv) {
        Random rnd = new Random(17);
        int[][] shapes = {{4, 4, 128}, {16, 8, 128}, {6, 2, 128}, {8, 2, 64}, {6, 2, 40}, {4, 1, 32}, {3, 3, 17}};
        for (int[] shape : shapes) {
            for (int blockSize : new int[] {3, 4, 64}) check(rnd, shape[0], shape[1], shape[2], blockSize, kv);
        }
    }

    /** A prefill chunk of one sequence on top of cached slots: full query tiles, no mixing of caches. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void prefillChunkMatchesReference(DType kv) {
        Random rnd = new Random(23);
        for (int[] shape : new int[][] {{16, 8, 128}, {32, 8, 128}, {8, 1, 64}, {4, 4, 32}}) {
            int numHeads = shape[0], numKvHeads = shape[1], headDim = shape[2];
            int kvDim = numKvHeads * headDim, qDim = numHeads * headDim;
            KvCache c = new KvCache(new KvBlockPool(1, kvDim, 16, Integer.MAX_VALUE, kv), 1000);
            fill(rnd, c, 1, 77);
            ForwardBatch batch = new ForwardBatch();
            for (int p = 40; p < 77; p++) batch.add(c, 0, p, false);
            float[] q = new float[batch.size() * qDim];
            for (int i = 0; i < q.length; i++) q[i] = (rnd.nextFloat() * 2 - 1) * 3;
            float scale = (float) (1 / Math.sqrt(headDim));
            float[] got = new float[q.length];
            int group = numHeads / numKvHeads;
            QueryTileAttention.run(batch, 0, q, got, numHeads, numKvHeads, headDim, scale, QueryTileAttention.newPass(), 0,
                    numKvHeads * QueryTileAttention.tiles(batch.size(), group));
            compare("tiled prefill heads " + numHeads + "/" + numKvHeads, got, ScalarAttention.run(batch, 0, q, numHeads, numKvHeads, headDim, scale));
        }
    }

    /**
     * Query tiles copy a KV head's values once per pass and thread: two sequences' prefills in one batch (whole tiles
     * of each, so the copy switches caches within a pass), then the same cache rewritten and attended again in a new
     * pass, on two layers: every output must come from its own cache's current values.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void tilesReadTheirOwnSequencesAndTheCurrentValues(DType kv) {
        Random rnd = new Random(29);
        int numHeads = 16, numKvHeads = 8, headDim = 128, layers = 2;
        int qDim = numHeads * headDim, group = numHeads / numKvHeads;
        KvBlockPool pool = new KvBlockPool(layers, numKvHeads * headDim, 16, Integer.MAX_VALUE, kv);
        KvCache a = new KvCache(pool, 1000), b = new KvCache(pool, 1000);
        fill(rnd, a, layers, 48);
        fill(rnd, b, layers, 40);
        ForwardBatch batch = new ForwardBatch();
        for (int p = 0; p < 48; p++) batch.add(a, 0, p, false);
        for (int p = 8; p < 40; p++) batch.add(b, 0, p, false);
        float[] q = new float[batch.size() * qDim];
        for (int i = 0; i < q.length; i++) q[i] = (rnd.nextFloat() * 2 - 1) * 3;
        float scale = (float) (1 / Math.sqrt(headDim));
        int items = numKvHeads * QueryTileAttention.tiles(batch.size(), group);
        for (int layer = 0; layer < layers; layer++) {
            for (int round = 0; round < 2; round++) {
                float[] got = new float[q.length];
                long pass = QueryTileAttention.newPass();
                // the second round starts with the head, cache and layer the first ended on
                int split = round == 0 ? 0 : items - 2;
                QueryTileAttention.run(batch, layer, q, got, numHeads, numKvHeads, headDim, scale, pass, split, items);
                QueryTileAttention.run(batch, layer, q, got, numHeads, numKvHeads, headDim, scale, pass, 0, split);
                compare("two sequences, layer " + layer + ", round " + round, got,
                        ScalarAttention.run(batch, layer, q, numHeads, numKvHeads, headDim, scale));
                fill(rnd, a, layers, 48); // new values in the same slots
                fill(rnd, b, layers, 40);
            }
        }
    }

    private static void check(Random rnd, int numHeads, int numKvHeads, int headDim, int blockSize, DType kv) {
        int layers = 2, layer = 1, kvDim = numKvHeads * headDim, qDim = numHeads * headDim;
        KvBlockPool pool = new KvBlockPool(layers, kvDim, blockSize, Integer.MAX_VALUE, kv);
        KvCache a = new KvCache(pool, 1000), b = new KvCache(pool, 1000);
        ForwardBatch batch = new ForwardBatch();
        // sequence a: a prefill chunk at positions 20..29 on top of 20 cached slots; b: one decode step at 70
        fill(rnd, a, layers, 30);
        fill(rnd, b, layers, 71);
        for (int p = 20; p < 30; p++) batch.add(a, 0, p, false);
        batch.add(b, 0, 70, true);
        batch.add(a, 0, 0, false); // a query that sees a single slot
        int n = batch.size();
        float[] q = new float[n * qDim];
        for (int i = 0; i < q.length; i++) q[i] = (rnd.nextFloat() * 2 - 1) * 3;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] got = new float[n * qDim];
        int items = n * numKvHeads;
        CachedAttention.run(batch, layer, q, got, numHeads, numKvHeads, headDim, scale, 0, items / 2, new float[1000]);
        CachedAttention.run(batch, layer, q, got, numHeads, numKvHeads, headDim, scale, items / 2, items, new float[1000]);
        double[] want = ScalarAttention.run(batch, layer, q, numHeads, numKvHeads, headDim, scale);
        String shape = kv + " heads " + numHeads + "/" + numKvHeads + " dim " + headDim + " block " + blockSize;
        compare("per token " + shape, got, want);
        // All KV heads of a token at once: the same sums in the same order as the per-(token, KV head)
        // kernel, so the two agree to rounding. Not bit for bit: the Vector API leaves the order of a
        // float reduceLanes(ADD) open, and which of the two the JIT has compiled (and how) at a given
        // moment changes the last bit.
        float[] rows = new float[n * qDim];
        float[] acc = new float[qDim + 5];
        CachedAttention.runTokens(batch, layer, q, rows, numHeads, numKvHeads, headDim, scale, 0, n / 2, new float[numHeads * 71], acc);
        CachedAttention.runTokens(batch, layer, q, rows, numHeads, numKvHeads, headDim, scale, n / 2, n, new float[numHeads * 71], acc);
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(rows[i] - got[i]) <= 1e-6)) { // outputs lie in [-1, 1]
                fail("row-streaming " + shape + ": out[" + i + "] = " + rows[i] + ", per-head kernel " + got[i]);
            }
        }
        compare("row-streaming " + shape, rows, want);
        // the same with every token's KV heads split into ranges (one or two decoding sequences on two threads)
        for (int parts : new int[] {2, 3}) {
            if (parts > numKvHeads) continue;
            float[] split = new float[n * qDim];
            CachedAttention.runTokens(batch, layer, q, split, numHeads, numKvHeads, headDim, scale, parts, 0, 1, new float[numHeads * 71], acc);
            CachedAttention.runTokens(batch, layer, q, split, numHeads, numKvHeads, headDim, scale, parts, 1, n * parts, new float[numHeads * 71], acc);
            compare("row-streaming in " + parts + " head ranges " + shape, split, want);
        }
        int group = numHeads / numKvHeads;
        if (QueryTileAttention.fits(group)) {
            float[] tiled = new float[n * qDim];
            int tileItems = numKvHeads * QueryTileAttention.tiles(n, group);
            long pass = QueryTileAttention.newPass();
            QueryTileAttention.run(batch, layer, q, tiled, numHeads, numKvHeads, headDim, scale, pass, 0, 1);
            QueryTileAttention.run(batch, layer, q, tiled, numHeads, numKvHeads, headDim, scale, pass, 1, tileItems);
            compare("tiled " + shape, tiled, want);
        }
    }

    private static void compare(String what, float[] got, double[] want) {
        for (int i = 0; i < got.length; i++) {
            // outputs are convex combinations of values in [-1, 1]; f32 sums of ≤ 71 terms stay well within 1e-5
            if (!(Math.abs(got[i] - want[i]) <= 1e-5)) {
                fail(what + ": out[" + i + "] = " + got[i] + ", reference " + want[i]);
            }
        }
    }

    private static void fill(Random rnd, KvCache c, int layers, int len) {
        c.reserve(len);
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < len; p++) {
                for (int i = 0; i < c.kvDim(); i++) {
                    float k = rnd.nextFloat() * 2 - 1, v = rnd.nextFloat() * 2 - 1;
                    if (c.bf16()) {
                        c.keys16(l, p)[c.slotOffset(p) + i] = Bf16.round(k);
                        c.values16(l, p)[c.slotOffset(p) + i] = Bf16.round(v);
                    } else {
                        c.keys(l, p)[c.slotOffset(p) + i] = k;
                        c.values(l, p)[c.slotOffset(p) + i] = v;
                    }
                }
            }
        }
        c.setLength(len);
    }
}
