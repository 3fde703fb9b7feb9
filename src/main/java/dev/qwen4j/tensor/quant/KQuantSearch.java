package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.nearestInt;

/**
 * The scale searches of llama.cpp's k-quant reference quantizers (make_qkx2_quants for Q4_K and Q2_K,
 * make_qx_quants for Q6_K, make_q3_quants for Q3_K). Every float operation is written in the same order as the C source, with no
 * fused multiply-adds, so the chosen levels, scales and hence the stored bytes are the same.
 */
final class KQuantSearch {
    private KQuantSearch() {}

    /** ggml's GROUP_MAX_EPS: groups whose largest magnitude is below this are treated as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * Asymmetric levels 0..nmax for x[xOff, xOff + n): returns the scale and stores −min in minOut[0], so
     * x ≈ scale·L − (−min). Tries nstep+1 candidate inverse scales around nmax/(max − min) and keeps the
     * weighted least-squares fit with the smallest error.
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
