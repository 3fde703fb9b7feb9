package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.nearestInt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The scale searches of llama.cpp's k-quant reference quantizers (make_qkx2_quants for Q4_K and Q2_K,
 * make_qx_quants for Q6_K, make_q3_quants for Q3_K). Every float operation is written in the same order as the C source, with no
 * fused multiply-adds, so the chosen levels, scales and hence the stored bytes are the same.
 *
 * <p>{@link #makeQkx2Quants} and {@link #makeQxQuants} try their candidate scales in the lanes of a vector, one
 * candidate per lane: each lane sums over the values in the same order as the scalar loop (…{@code Scalar}, kept
 * as their twins), so every lane's sums are bit for bit the scalar ones, and the candidates are then compared in
 * the C order. The searches were 90% of {@code quantize}'s time (21 candidates × 32 values per Q4_K sub-block).
 */
final class KQuantSearch {
    private KQuantSearch() {}

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int LANES = FS.length();
    /** 0, 1, 2, … as floats: candidate indices within a vector. */
    private static final float[] IOTA = new float[LANES];
    /** make_qx_quants' candidate offsets −9 … 9 without 0, in C's order, padded with zeros to whole vectors. */
    private static final float[] QX_STEPS = new float[(18 + LANES - 1) / LANES * LANES];
    /**
     * ggml's nearest_int lane-wise is (f + NEAREST)'s bits & 0x7fffff − 0x400000; written out in the loops, as C2
     * did not inline a helper taking vectors there (it boxed them).
     */
    private static final float NEAREST = 12582912.f;
    /** Values per searched group: 32 (Q4_K, Q5_K), 16 (Q2_K, Q6_K). */
    private static final int MAX_VALUES = 32;
    /** Per-lane results of one vector of candidates, and its levels per value (for the error pass). */
    private static final ThreadLocal<float[][]> LANE_RESULTS = ThreadLocal.withInitial(() -> new float[][] {
            new float[LANES], new float[LANES], new float[LANES], new float[LANES], new float[MAX_VALUES * LANES]});

    static {
        for (int i = 0; i < LANES; i++) IOTA[i] = i;
        for (int i = 0, is = -9; is <= 9; is++) if (is != 0) QX_STEPS[i++] = is;
    }

    /**
     * make_qkx2_quants ({@link #makeQkx2QuantsScalar}, the same results): the nstep + 1 candidate inverse scales
     * in lanes.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] weights, int[] l, int lOff,
                                float[] minOut, int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff], max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            minOut[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * (x[xOff + i] - min));
            li = Math.max(0, Math.min(nmax, li));
            l[lOff + i] = li;
            float diff = scale * li + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            minOut[0] = -min;
            return scale;
        }
        float[][] r = LANE_RESULTS.get();
        float[] dets = r[0], errors = r[1], scales = r[2], mins = r[3], levels = r[4];
        if (n > MAX_VALUES) throw new IllegalArgumentException(n + " values in a group, at most " + MAX_VALUES);
        IntVector zero = IntVector.zero(IS), top = IntVector.broadcast(IS, nmax);
        // C updates min when a candidate wins, and the later candidates use the new min (in their inverse scale and
        // levels): lanes past a winner are stale, so the search resumes right after it with the new min
        int best = -1;
        float bestSearchMin = min;
        for (int c0 = 0; c0 <= nstep; ) {
            float searchMin = min, range = max - min;
            // lane k tries is = c0 + k: (rmin + rdelta·is + nmax) / (max − min), as in C
            FloatVector is = FloatVector.fromArray(FS, IOTA, 0).add((float) c0);
            FloatVector iscales = is.mul(rdelta).add(rmin).add((float) nmax).div(range);
            FloatVector sumL = FloatVector.zero(FS), sumL2 = sumL, sumXl = sumL;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i], w = weights[i];
                FloatVector li = (FloatVector) iscales.mul(xi - searchMin).add(NEAREST).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(zero).min(top).convert(VectorOperators.I2F, 0);
                li.intoArray(levels, i * LANES); // for the error pass
                FloatVector wl = li.mul(w);
                sumL = wl.add(sumL);
                sumL2 = wl.mul(li).add(sumL2);
                sumXl = wl.mul(xi).add(sumXl);
            }
            FloatVector det = sumL2.mul(sumW).sub(sumL.mul(sumL));
            FloatVector thisScale = sumXl.mul(sumW).sub(sumL.mul(sumX)).div(det);
            FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXl)).div(det);
            VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0f);
            thisScale = thisScale.blend(sumXl.div(sumL2), positive);
            thisMin = thisMin.blend(0f, positive);
            FloatVector error = FloatVector.zero(FS);
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                FloatVector li = FloatVector.fromArray(FS, levels, i * LANES);
                FloatVector diff = thisScale.mul(li).add(thisMin).sub(xi);
                diff = useMad ? diff.abs() : diff.mul(diff);
                error = diff.mul(weights[i]).add(error);
            }
            det.intoArray(dets, 0);
            error.intoArray(errors, 0);
            thisScale.intoArray(scales, 0);
            thisMin.intoArray(mins, 0);
            int next = c0 + LANES;
            // the candidates in C's order: one replaces the best only when strictly better
            for (int k = 0; k < LANES && c0 + k <= nstep; k++) {
                if (dets[k] > 0 && errors[k] < bestError) {
                    bestError = errors[k];
                    scale = scales[k];
                    min = mins[k];
                    best = c0 + k;
                    bestSearchMin = searchMin;
                    next = c0 + k + 1;
                    break;
                }
            }
            c0 = next;
        }
        if (best >= 0) { // the winner's levels, as its pass computed them
            float bestIscale = (rmin + rdelta * best + nmax) / (max - bestSearchMin);
            for (int i = 0; i < n; i++) {
                int li = nearestInt(bestIscale * (x[xOff + i] - bestSearchMin));
                l[lOff + i] = Math.max(0, Math.min(nmax, li));
            }
        }
        minOut[0] = -min;
        return scale;
    }

    /** make_qx_quants ({@link #makeQxQuantsScalar}, the same results): the 18 candidate inverse scales in lanes. */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, int[] l, int lOff) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int li = nearestInt(iscale * xi);
            li = Math.max(-nmax, Math.min(nmax - 1, li));
            l[lOff + i] = li + nmax;
            float w = xi * xi;
            sumlx += w * xi * li;
            suml2 += w * li * li;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        float[][] r = LANE_RESULTS.get();
        float[] lx = r[0], l2 = r[1];
        IntVector low = IntVector.broadcast(IS, -nmax), high = IntVector.broadcast(IS, nmax - 1);
        float bestStep = 0;
        for (int c0 = 0; c0 < 18; c0 += LANES) {
            // −(nmax + 0.1·is) / max, as in C
            FloatVector iscales = FloatVector.fromArray(FS, QX_STEPS, c0).mul(0.1f).add((float) nmax).neg().div(max);
            FloatVector sumLx = FloatVector.zero(FS), sumL2 = sumLx;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i], w = xi * xi;
                FloatVector li = (FloatVector) iscales.mul(xi).add(NEAREST).reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(low).min(high).convert(VectorOperators.I2F, 0);
                sumLx = li.mul(w * xi).add(sumLx);
                sumL2 = li.mul(w).mul(li).add(sumL2);
            }
            sumLx.intoArray(lx, 0);
            sumL2.intoArray(l2, 0);
            for (int k = 0; k < LANES && c0 + k < 18; k++) {
                if (l2[k] > 0 && lx[k] * lx[k] > best * l2[k]) {
                    scale = lx[k] / l2[k];
                    best = scale * lx[k];
                    bestStep = QX_STEPS[c0 + k];
                }
            }
        }
        if (bestStep != 0) {
            float bestIscale = -(nmax + 0.1f * (int) bestStep) / max;
            for (int i = 0; i < n; i++) {
                int li = nearestInt(bestIscale * x[xOff + i]);
                l[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, li));
            }
        }
        return scale;
    }

    /** ggml's GROUP_MAX_EPS: groups whose largest magnitude is below this are treated as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * Asymmetric levels 0..nmax for x[xOff, xOff + n): returns the scale and stores −min in minOut[0], so
     * x ≈ scale·L − (−min). Tries nstep+1 candidate inverse scales around nmax/(max − min) and keeps the
     * weighted least-squares fit with the smallest error.
     */
    static float makeQkx2QuantsScalar(int n, int nmax, float[] x, int xOff, float[] weights, int[] l, int lOff,
                                      float[] minOut, int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff], max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            minOut[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * (x[xOff + i] - min));
            li = Math.max(0, Math.min(nmax, li));
            l[lOff + i] = li;
            float diff = scale * li + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            minOut[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; i++) {
                int li = nearestInt(iscale * (x[xOff + i] - min));
                li = Math.max(0, Math.min(nmax, li));
                laux[i] = li;
                float w = weights[i];
                sumL += w * li;
                sumL2 += w * li * li;
                sumXl += w * li * x[xOff + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xOff + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    for (int i = 0; i < n; i++) l[lOff + i] = laux[i];
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }

    /**
     * Symmetric levels −nmax..nmax−1 (stored as L + nmax) for x[xOff, xOff + n), weights x² (ggml's
     * rmse_type 1, no importance matrix): tries 18 inverse scales around −nmax/max and keeps the one whose
     * least-squares scale explains the most of x.
     */
    static float makeQxQuantsScalar(int n, int nmax, float[] x, int xOff, int[] l, int lOff) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int li = nearestInt(iscale * xi);
            li = Math.max(-nmax, Math.min(nmax - 1, li));
            l[lOff + i] = li + nmax;
            float w = xi * xi;
            sumlx += w * xi * li;
            suml2 += w * li * li;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int li = nearestInt(iscale * xi);
                li = Math.max(-nmax, Math.min(nmax - 1, li));
                float w = xi * xi;
                sumlx += w * xi * li;
                suml2 += w * li * li;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int li = nearestInt(iscale * x[xOff + i]);
                    l[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, li));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * ggml's make_q3_quants: symmetric levels −nmax..nmax−1 (stored as L + nmax) for x[xOff, xOff + n).
     * Without doRmse the scale is just −max/nmax; with it, starting from there, each level in turn is moved
     * to the one its value wants under the least-squares scale of the others, kept if that raises
     * (Σ w·x·L)² / Σ w·L² (weights x²), for up to five passes. An all-zero group gets levels 0 (not nmax)
     * and scale 0, as in C.
     */
    static float makeQ3Quants(int n, int nmax, float[] x, int xOff, int[] l, int lOff, boolean doRmse) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) l[lOff + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        if (doRmse) {
            float sumlx = 0, suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int li = nearestInt(iscale * xi);
                li = Math.max(-nmax, Math.min(nmax - 1, li));
                l[lOff + i] = li;
                float w = xi * xi;
                sumlx += w * xi * li;
                suml2 += w * li * li;
            }
            for (int itry = 0; itry < 5; itry++) {
                int changed = 0;
                for (int i = 0; i < n; i++) {
                    float xi = x[xOff + i];
                    int li = l[lOff + i];
                    float w = xi * xi;
                    float slx = sumlx - w * xi * li;
                    if (slx > 0) {
                        float sl2 = suml2 - w * li * li;
                        int newL = nearestInt(xi * sl2 / slx);
                        newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                        if (newL != li) {
                            slx += w * xi * newL;
                            sl2 += w * newL * newL;
                            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                                l[lOff + i] = newL;
                                sumlx = slx;
                                suml2 = sl2;
                                changed++;
                            }
                        }
                    }
                }
                if (changed == 0) break;
            }
            for (int i = 0; i < n; i++) l[lOff + i] += nmax;
            return sumlx / suml2;
        }
        for (int i = 0; i < n; i++) {
            int li = nearestInt(iscale * x[xOff + i]);
            l[lOff + i] = Math.max(-nmax, Math.min(nmax - 1, li)) + nmax;
        }
        return 1 / iscale;
    }
}
