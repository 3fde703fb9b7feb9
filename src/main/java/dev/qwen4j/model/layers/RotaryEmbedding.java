package dev.qwen4j.model.layers;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * NEOX ("rotate_half") rotary position embedding: element j is rotated with element j + D/2 by the
 * angle position · inv_freq[j]. For M-RoPE (Qwen3-VL) each frequency takes its position from the T, H
 * or W row, interleaved as in transformers' `apply_interleaved_mrope`.
 */
public final class RotaryEmbedding {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private final int headDim;
    private final float[] invFreq;
    private final float attentionScaling;
    /** For M-RoPE: which position row (0=T, 1=H, 2=W) frequency j uses; null for 1-D RoPE. */
    private final int[] axisOfFrequency;

    public RotaryEmbedding(int headDim, RopeConfig cfg) {
        this.headDim = headDim;
        int half = headDim / 2;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // f32 exponent and power, as torch computes inv_freq
            float exponent = (float) (2 * i) / headDim;
            invFreq[i] = (float) (1.0 / Math.pow(cfg.theta(), exponent));
        }
        if (cfg.type().equals("yarn")) applyYarn(cfg);
        this.attentionScaling = (float) cfg.attentionFactor();
        this.axisOfFrequency = cfg.mropeSection() == null ? null : interleave(cfg.mropeSection(), half);
    }

    private void applyYarn(RopeConfig cfg) {
        int d = headDim;
        double base = cfg.theta();
        double low = Math.max(Math.floor(correctionDim(cfg.betaFast(), d, base, cfg.originalMaxPositions())), 0);
        double high = Math.min(Math.ceil(correctionDim(cfg.betaSlow(), d, base, cfg.originalMaxPositions())), d - 1);
        if (low == high) high += 0.001;
        for (int i = 0; i < d / 2; i++) {
            double posFreq = Math.pow(base, (2.0 * i) / d);
            double extrapolation = 1.0 / posFreq;
            double interpolation = 1.0 / (cfg.factor() * posFreq);
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationWeight = 1 - ramp;
            invFreq[i] = (float) (interpolation * (1 - extrapolationWeight) + extrapolation * extrapolationWeight);
        }
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPos) {
        return dim * Math.log(maxPos / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** Frequency j uses H if j%3==1 and j < 3·s_h, W if j%3==2 and j < 3·s_w, else T. */
    private static int[] interleave(int[] section, int half) {
        int[] axis = new int[half];
        for (int j = 0; j < half; j++) {
            if (j % 3 == 1 && j < 3 * section[1]) axis[j] = 1;
            else if (j % 3 == 2 && j < 3 * section[2]) axis[j] = 2;
            else axis[j] = 0;
        }
        return axis;
    }

    public int headDim() {
        return headDim;
    }

    public boolean isMultimodal() {
        return axisOfFrequency != null;
    }

    /**
     * Fills cos/sin [D/2] for one token. positions holds 1 value for 1-D RoPE or 3 (t, h, w) for M-RoPE.
     */
    public void angles(int[] positions, int posOffset, int posStride, float[] cos, float[] sin) {
        angles(positions, posOffset, posStride, cos, sin, 0);
    }

    /** As above, writing cos/sin[csOff .. csOff + D/2) (one row of a per-token table). */
    public void angles(int[] positions, int posOffset, int posStride, float[] cos, float[] sin, int csOff) {
        int half = headDim / 2;
        for (int j = 0; j < half; j++) {
            int axis = axisOfFrequency == null ? 0 : axisOfFrequency[j];
            float p = positions[posOffset + axis * posStride];
            float angle = p * invFreq[j];
            cos[csOff + j] = (float) Math.cos(angle) * attentionScaling;
            sin[csOff + j] = (float) Math.sin(angle) * attentionScaling;
        }
    }

    /** Rotates `heads` consecutive head vectors of length D starting at x[off], in place. */
    public void rotate(float[] x, int off, int heads, float[] cos, float[] sin) {
        rotate(x, off, heads, cos, sin, 0);
    }

    /** As above with the angles at cos/sin[csOff ..]; vectorised over j, scalar for the last D/2 mod L. */
    public void rotate(float[] x, int off, int heads, float[] cos, float[] sin, int csOff) {
        int half = headDim / 2;
        int vecEnd = half - half % L;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int j = 0; j < vecEnd; j += L) {
                FloatVector a = FloatVector.fromArray(F, x, base + j), b = FloatVector.fromArray(F, x, base + j + half);
                FloatVector c = FloatVector.fromArray(F, cos, csOff + j), s = FloatVector.fromArray(F, sin, csOff + j);
                a.mul(c).sub(b.mul(s)).intoArray(x, base + j);
                b.mul(c).add(a.mul(s)).intoArray(x, base + j + half);
            }
            for (int j = vecEnd; j < half; j++) {
                float a = x[base + j], b = x[base + j + half];
                x[base + j] = a * cos[csOff + j] - b * sin[csOff + j];
                x[base + j + half] = b * cos[csOff + j] + a * sin[csOff + j];
            }
        }
    }
}
