package dev.qwen4j.model.layers;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.tensor.Bf16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal GQA attention for many queries (prefill), vectorised across queries: the lanes of two vectors
 * are 2·L queries that share a KV head (consecutive tokens × the heads of the group), so a key row is
 * read once as scalars and each value broadcast against both vectors of the transposed query tile, and
 * the scores come out as two vectors per cache slot with no horizontal reductions. The causal mask, the softmax
 * and the weighted sum of values are lane-wise too (each lane has its own position and length); the tile's
 * output is transposed back to rows once at the end.
 *
 * <p>{@link CachedAttention} instead takes one dot product (and one vector reduction) per slot and
 * head; that suits decode, where a tile would hold only the group's few heads. For a 512-token
 * prefill the per-slot reductions made attention about a quarter of the time (JFR, Zen 4).
 */
final class QueryTileAttention {
    private QueryTileAttention() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /**
     * Queries per tile: two vectors, so each broadcast key value serves two multiply-adds (with one vector the
     * scoring was bound by its broadcasts, one per FMA).
     */
    private static final int TL = 2 * L;
    /** Key slots scored per pass: 4 broadcasts against each loaded query vector. */
    private static final int PB = 4;
    /** Value dims summed per pass: 8 broadcasts against the two weight vectors (16 accumulators). */
    private static final int VD = 8;

    private static final class Scratch {
        float[] qt = new float[0], s = new float[0], vt = new float[0];
        final int[] pos = new int[TL];
        final float[] posF = new float[L], inv = new float[TL];
        final int[] outOff = new int[TL];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Query tiles per KV head for a batch of n tokens: TL / group tokens per tile. */
    static int tiles(int n, int group) {
        int perTile = Math.max(1, TL / group);
        return (n + perTile - 1) / perTile;
    }

    /** Whether tiles can be used: whole groups per tile. */
    static boolean fits(int group) {
        return group <= L && L % group == 0;
    }

    /**
     * Items [from, to) of numKvHeads·tiles(n, group), KV-head major (a thread's contiguous share of
     * items reads the same head's keys and values, which stay in its caches). q and out are
     * [n, numHeads·headDim].
     */
    static void run(ForwardBatch batch, int layer, float[] q, float[] out, int numHeads, int numKvHeads, int headDim,
                    float scale, int from, int to) {
        int n = batch.size(), group = numHeads / numKvHeads, perTile = TL / group;
        int tiles = tiles(n, group);
        Scratch sc = SCRATCH.get();
        for (int item = from; item < to; item++) {
            int g = item / tiles, t0 = (item % tiles) * perTile, t1 = Math.min(n, t0 + perTile);
            KvCache c = batch.cache(t0);
            boolean oneCache = true;
            for (int t = t0 + 1; t < t1; t++) oneCache &= batch.cache(t) == c;
            if (!oneCache) { // tokens of several sequences in one tile: score them one by one
                for (int t = t0; t < t1; t++) {
                    int it = t * numKvHeads + g;
                    CachedAttention.run(batch, layer, q, out, numHeads, numKvHeads, headDim, scale, it, it + 1,
                            scores(sc, group * (batch.cachePosition(t) + 1)));
                }
                continue;
            }
            tile(batch, c, layer, q, out, numHeads, headDim, scale, g, group, t0, t1, sc);
        }
    }

    private static float[] scores(Scratch sc, int size) {
        if (sc.s.length < size) sc.s = new float[size];
        return sc.s;
    }

    private static void tile(ForwardBatch batch, KvCache c, int layer, float[] q, float[] out, int numHeads, int headDim,
                             float scale, int g, int group, int t0, int t1, Scratch sc) {
        int qDim = numHeads * headDim, lanes = (t1 - t0) * group;
        // transposed, pre-scaled query tile qt[d·TL + lane]; lane = (t − t0)·group + head in group
        if (sc.qt.length < headDim * TL) sc.qt = new float[headDim * TL];
        float[] qt = sc.qt;
        int[] pos = sc.pos;
        int maxLen = 0;
        for (int lane = 0; lane < TL; lane++) {
            if (lane < lanes) {
                int t = t0 + lane / group;
                int qo = t * qDim + (g * group + lane % group) * headDim;
                for (int d = 0; d < headDim; d++) qt[d * TL + lane] = q[qo + d] * scale;
                pos[lane] = batch.cachePosition(t);
                maxLen = Math.max(maxLen, pos[lane] + 1);
            } else { // padding lanes: a zero query that sees slot 0 only, never stored
                for (int d = 0; d < headDim; d++) qt[d * TL + lane] = 0f;
                pos[lane] = 0;
            }
        }
        int slots = (maxLen + PB - 1) / PB * PB;
        float[] s = scores(sc, slots * TL);
        scoreSlots(c, layer, qt, g * headDim, headDim, maxLen, s);
        float[] inv = sc.inv;
        FloatVector.broadcast(F, 1f).div(softmaxLanes(s, pos, sc.posF, maxLen, 0)).intoArray(inv, 0);
        FloatVector.broadcast(F, 1f).div(softmaxLanes(s, pos, sc.posF, maxLen, L)).intoArray(inv, L);
        int[] outOff = sc.outOff;
        for (int lane = 0; lane < lanes; lane++) outOff[lane] = (t0 + lane / group) * qDim + (g * group + lane % group) * headDim;
        if (headDim % VD == 0) {
            if (sc.vt.length < headDim * TL) sc.vt = new float[headDim * TL];
            weightedValues(c, layer, s, maxLen, g * headDim, headDim, sc.vt);
            storeRows(sc.vt, inv, outOff, lanes, headDim, out);
        } else {
            for (int lane = 0; lane < lanes; lane++) {
                CachedAttention.weightedValues(c, layer, s, lane, TL, pos[lane] + 1, g * headDim, headDim, inv[lane], out, outOff[lane]);
            }
        }
    }

    /**
     * Weighted values of the whole tile, queries in lanes as in the scoring: vt[d·TL + lane] = Σ_p s[p·TL + lane]·V[p, d]
     * for dims [0, headDim) in chunks of {@link #VD}. Per slot a chunk loads the two weight vectors once and
     * broadcasts each of its VD values against both, so every broadcast feeds two multiply-adds. Broadcasting the
     * weights against value vectors instead (one per FMA) ran at 0.6–0.75× this rate (Zen 4, one core: 68–87 against
     * 114–116 GFLOP/s). Masked slots have weight 0, so every lane sums over all len slots, in slot order.
     */
    private static void weightedValues(KvCache c, int layer, float[] s, int len, int kvOff, int headDim, float[] vt) {
        if (c.bf16()) {
            weightedValuesBf16(c, layer, s, len, kvOff, headDim, vt);
            return;
        }
        int bs = c.blockSize(), kvDim = c.kvDim();
        for (int d = 0; d < headDim; d += VD) {
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
            FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
            for (int first = 0; first < len; first += bs) {
                float[] values = c.values(layer, first);
                int end = Math.min(len, first + bs);
                for (int p = first, v = kvOff + d, w = first * TL; p < end; p++, v += kvDim, w += TL) {
                    FloatVector sv = FloatVector.fromArray(F, s, w), sw = FloatVector.fromArray(F, s, w + L);
                    FloatVector x = FloatVector.broadcast(F, values[v]);
                    a0 = sv.fma(x, a0);
                    b0 = sw.fma(x, b0);
                    x = FloatVector.broadcast(F, values[v + 1]);
                    a1 = sv.fma(x, a1);
                    b1 = sw.fma(x, b1);
                    x = FloatVector.broadcast(F, values[v + 2]);
                    a2 = sv.fma(x, a2);
                    b2 = sw.fma(x, b2);
                    x = FloatVector.broadcast(F, values[v + 3]);
                    a3 = sv.fma(x, a3);
                    b3 = sw.fma(x, b3);
                    x = FloatVector.broadcast(F, values[v + 4]);
                    a4 = sv.fma(x, a4);
                    b4 = sw.fma(x, b4);
                    x = FloatVector.broadcast(F, values[v + 5]);
                    a5 = sv.fma(x, a5);
                    b5 = sw.fma(x, b5);
                    x = FloatVector.broadcast(F, values[v + 6]);
                    a6 = sv.fma(x, a6);
                    b6 = sw.fma(x, b6);
                    x = FloatVector.broadcast(F, values[v + 7]);
                    a7 = sv.fma(x, a7);
                    b7 = sw.fma(x, b7);
                }
            }
            int o = d * TL;
            a0.intoArray(vt, o);
            b0.intoArray(vt, o + L);
            a1.intoArray(vt, o + TL);
            b1.intoArray(vt, o + TL + L);
            a2.intoArray(vt, o + 2 * TL);
            b2.intoArray(vt, o + 2 * TL + L);
            a3.intoArray(vt, o + 3 * TL);
            b3.intoArray(vt, o + 3 * TL + L);
            a4.intoArray(vt, o + 4 * TL);
            b4.intoArray(vt, o + 4 * TL + L);
            a5.intoArray(vt, o + 5 * TL);
            b5.intoArray(vt, o + 5 * TL + L);
            a6.intoArray(vt, o + 6 * TL);
            b6.intoArray(vt, o + 6 * TL + L);
            a7.intoArray(vt, o + 7 * TL);
            b7.intoArray(vt, o + 7 * TL + L);
        }
    }

    /** {@link #weightedValues} over bf16 values. */
    private static void weightedValuesBf16(KvCache c, int layer, float[] s, int len, int kvOff, int headDim, float[] vt) {
        int bs = c.blockSize(), kvDim = c.kvDim();
        for (int d = 0; d < headDim; d += VD) {
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
            FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
            for (int first = 0; first < len; first += bs) {
                short[] values = c.values16(layer, first);
                int end = Math.min(len, first + bs);
                for (int p = first, v = kvOff + d, w = first * TL; p < end; p++, v += kvDim, w += TL) {
                    FloatVector sv = FloatVector.fromArray(F, s, w), sw = FloatVector.fromArray(F, s, w + L);
                    FloatVector x = FloatVector.broadcast(F, Bf16.toFloat(values[v]));
                    a0 = sv.fma(x, a0);
                    b0 = sw.fma(x, b0);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 1]));
                    a1 = sv.fma(x, a1);
                    b1 = sw.fma(x, b1);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 2]));
                    a2 = sv.fma(x, a2);
                    b2 = sw.fma(x, b2);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 3]));
                    a3 = sv.fma(x, a3);
                    b3 = sw.fma(x, b3);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 4]));
                    a4 = sv.fma(x, a4);
                    b4 = sw.fma(x, b4);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 5]));
                    a5 = sv.fma(x, a5);
                    b5 = sw.fma(x, b5);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 6]));
                    a6 = sv.fma(x, a6);
                    b6 = sw.fma(x, b6);
                    x = FloatVector.broadcast(F, Bf16.toFloat(values[v + 7]));
                    a7 = sv.fma(x, a7);
                    b7 = sw.fma(x, b7);
                }
            }
            int o = d * TL;
            a0.intoArray(vt, o);
            b0.intoArray(vt, o + L);
            a1.intoArray(vt, o + TL);
            b1.intoArray(vt, o + TL + L);
            a2.intoArray(vt, o + 2 * TL);
            b2.intoArray(vt, o + 2 * TL + L);
            a3.intoArray(vt, o + 3 * TL);
            b3.intoArray(vt, o + 3 * TL + L);
            a4.intoArray(vt, o + 4 * TL);
            b4.intoArray(vt, o + 4 * TL + L);
            a5.intoArray(vt, o + 5 * TL);
            b5.intoArray(vt, o + 5 * TL + L);
            a6.intoArray(vt, o + 6 * TL);
            b6.intoArray(vt, o + 6 * TL + L);
            a7.intoArray(vt, o + 7 * TL);
            b7.intoArray(vt, o + 7 * TL + L);
        }
    }

    /** out[outOff[lane] + d] = vt[d·TL + lane] / sum_lane for the tile's real lanes: the transposed tile back to rows. */
    private static void storeRows(float[] vt, float[] inv, int[] outOff, int lanes, int headDim, float[] out) {
        FloatVector lo = FloatVector.fromArray(F, inv, 0), hi = FloatVector.fromArray(F, inv, L);
        for (int o = 0; o < headDim * TL; o += TL) {
            FloatVector.fromArray(F, vt, o).mul(lo).intoArray(vt, o);
            FloatVector.fromArray(F, vt, o + L).mul(hi).intoArray(vt, o + L);
        }
        for (int lane = 0; lane < lanes; lane++) {
            int base = outOff[lane];
            for (int d = 0, o = lane; d < headDim; d++, o += TL) out[base + d] = vt[o];
        }
    }

    /** s[p·TL + lane] = qt_lane · K[p] for slots [0, len) (len rounded up to PB; extra slots are garbage). */
    private static void scoreSlots(KvCache c, int layer, float[] qt, int kvOff, int headDim, int len, float[] s) {
        if (c.bf16()) {
            scoreSlotsBf16(c, layer, qt, kvOff, headDim, len, s);
            return;
        }
        int kvDim = c.kvDim();
        boolean sameBlock = c.blockSize() % PB == 0; // the PB slots of a step share one key array
        for (int p = 0; p < len; p += PB) {
            if (sameBlock) {
                float[] k = c.keys(layer, p);
                int o0 = c.slotOffset(p) + kvOff;
                int o1 = o0 + (p + 1 < len ? kvDim : 0), o2 = o0 + (p + 2 < len ? 2 * kvDim : 0), o3 = o0 + (p + 3 < len ? 3 * kvDim : 0);
                score4(qt, headDim, k, o0, k, o1, k, o2, k, o3, s, p);
                continue;
            }
            float[] k0 = c.keys(layer, p), k1 = c.keys(layer, Math.min(p + 1, len - 1));
            float[] k2 = c.keys(layer, Math.min(p + 2, len - 1)), k3 = c.keys(layer, Math.min(p + 3, len - 1));
            int o0 = c.slotOffset(p) + kvOff, o1 = c.slotOffset(Math.min(p + 1, len - 1)) + kvOff;
            int o2 = c.slotOffset(Math.min(p + 2, len - 1)) + kvOff, o3 = c.slotOffset(Math.min(p + 3, len - 1)) + kvOff;
            score4(qt, headDim, k0, o0, k1, o1, k2, o2, k3, o3, s, p);
        }
    }

    /** {@link #scoreSlots} over bf16 keys. */
    private static void scoreSlotsBf16(KvCache c, int layer, float[] qt, int kvOff, int headDim, int len, float[] s) {
        for (int p = 0; p < len; p += PB) {
            int p1 = Math.min(p + 1, len - 1), p2 = Math.min(p + 2, len - 1), p3 = Math.min(p + 3, len - 1);
            score4(qt, headDim, c.keys16(layer, p), c.slotOffset(p) + kvOff, c.keys16(layer, p1), c.slotOffset(p1) + kvOff,
                    c.keys16(layer, p2), c.slotOffset(p2) + kvOff, c.keys16(layer, p3), c.slotOffset(p3) + kvOff, s, p);
        }
    }

    /** {@link #score4} against bf16 key rows. */
    private static void score4(float[] qt, int headDim, short[] k0, int o0, short[] k1, int o1, short[] k2, int o2,
                               short[] k3, int o3, float[] s, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int d = 0; d < headDim; d++) {
            FloatVector qv = FloatVector.fromArray(F, qt, d * TL), qw = FloatVector.fromArray(F, qt, d * TL + L);
            FloatVector k = FloatVector.broadcast(F, Bf16.toFloat(k0[o0 + d]));
            a0 = qv.fma(k, a0);
            b0 = qw.fma(k, b0);
            k = FloatVector.broadcast(F, Bf16.toFloat(k1[o1 + d]));
            a1 = qv.fma(k, a1);
            b1 = qw.fma(k, b1);
            k = FloatVector.broadcast(F, Bf16.toFloat(k2[o2 + d]));
            a2 = qv.fma(k, a2);
            b2 = qw.fma(k, b2);
            k = FloatVector.broadcast(F, Bf16.toFloat(k3[o3 + d]));
            a3 = qv.fma(k, a3);
            b3 = qw.fma(k, b3);
        }
        a0.intoArray(s, p * TL);
        b0.intoArray(s, p * TL + L);
        a1.intoArray(s, (p + 1) * TL);
        b1.intoArray(s, (p + 1) * TL + L);
        a2.intoArray(s, (p + 2) * TL);
        b2.intoArray(s, (p + 2) * TL + L);
        a3.intoArray(s, (p + 3) * TL);
        b3.intoArray(s, (p + 3) * TL + L);
    }

    /** Scores of slots p .. p+3 (key rows at k_i[o_i ..]) for all lanes into s[(p + i)·TL ..]. */
    private static void score4(float[] qt, int headDim, float[] k0, int o0, float[] k1, int o1, float[] k2, int o2,
                               float[] k3, int o3, float[] s, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int d = 0; d < headDim; d++) {
            FloatVector qv = FloatVector.fromArray(F, qt, d * TL), qw = FloatVector.fromArray(F, qt, d * TL + L);
            FloatVector k = FloatVector.broadcast(F, k0[o0 + d]);
            a0 = qv.fma(k, a0);
            b0 = qw.fma(k, b0);
            k = FloatVector.broadcast(F, k1[o1 + d]);
            a1 = qv.fma(k, a1);
            b1 = qw.fma(k, b1);
            k = FloatVector.broadcast(F, k2[o2 + d]);
            a2 = qv.fma(k, a2);
            b2 = qw.fma(k, b2);
            k = FloatVector.broadcast(F, k3[o3 + d]);
            a3 = qv.fma(k, a3);
            b3 = qw.fma(k, b3);
        }
        a0.intoArray(s, p * TL);
        b0.intoArray(s, p * TL + L);
        a1.intoArray(s, (p + 1) * TL);
        b1.intoArray(s, (p + 1) * TL + L);
        a2.intoArray(s, (p + 2) * TL);
        b2.intoArray(s, (p + 2) * TL + L);
        a3.intoArray(s, (p + 3) * TL);
        b3.intoArray(s, (p + 3) * TL + L);
    }

    /**
     * Lane-wise softmax numerators over slots [0, len) for the vector of lanes [lane0, lane0 + L): slot p of a
     * lane whose position is below p is masked to 0. Returns the per-lane sums (the caller divides).
     */
    private static FloatVector softmaxLanes(float[] s, int[] pos, float[] posF, int len, int lane0) {
        for (int i = 0; i < L; i++) posF[i] = pos[lane0 + i];
        FloatVector pv = FloatVector.fromArray(F, posF, 0);
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int p = 0; p < len; p++) {
            VectorMask<Float> visible = pv.compare(VectorOperators.GE, (float) p);
            // hidden lanes read as −∞; the loaded vector is the receiver (see Ops.softmax for why)
            max = FloatVector.fromArray(F, s, p * TL + lane0).blend(Float.NEGATIVE_INFINITY, visible.not()).max(max);
        }
        FloatVector sum = FloatVector.zero(F);
        for (int p = 0; p < len; p++) {
            VectorMask<Float> visible = pv.compare(VectorOperators.GE, (float) p);
            FloatVector e = FloatVector.fromArray(F, s, p * TL + lane0).sub(max).lanewise(VectorOperators.EXP)
                    .blend(0f, visible.not());
            e.intoArray(s, p * TL + lane0);
            sum = e.add(sum);
        }
        return sum;
    }
}
