package dev.qwen4j.model.layers;

import dev.qwen4j.format.ConfigReader;

/**
 * Rotary embedding settings: theta, optional YaRN scaling, and for Qwen3-VL the interleaved M-RoPE
 * sections. Read from `rope_theta` + `rope_scaling` (transformers v4) or `rope_parameters` (v5).
 *
 * @param mropeSection [t, h, w] frequency counts for M-RoPE, or null for 1-D RoPE
 */
public record RopeConfig(double theta, String type, double factor, int originalMaxPositions,
                         double betaFast, double betaSlow, double attentionFactor, int[] mropeSection) {

    public static RopeConfig read(ConfigReader c, int headDim) {
        ConfigReader params = c.child("rope_parameters");
        ConfigReader scaling = params != null ? params : c.child("rope_scaling");
        double theta = params != null && params.has("rope_theta") ? params.requireDouble("rope_theta")
                : c.optDouble("rope_theta", 1_000_000.0);
        String type = "default";
        double factor = 1.0, betaFast = 32, betaSlow = 1, attn = Double.NaN;
        int origMax = c.optInt("max_position_embeddings", 40960);
        int[] mrope = null;
        if (scaling != null) {
            type = scaling.optString("rope_type", scaling.optString("type", "default"));
            if (scaling.has("mrope_section")) {
                mrope = scaling.optIntArray("mrope_section", null);
                int sum = 0;
                for (int s : mrope) sum += s;
                if (mrope.length != 3 || sum != headDim / 2) {
                    throw scaling.error("mrope_section", "must be 3 counts summing to head_dim/2=" + (headDim / 2));
                }
                if (!scaling.optBool("mrope_interleaved", true) && !type.equals("default")) {
                    throw scaling.error("mrope_interleaved", "false is not supported (Qwen3-VL uses interleaved M-RoPE)");
                }
            }
            switch (type) {
                case "default", "mrope" -> type = "default";
                case "yarn" -> {
                    factor = scaling.requireDouble("factor");
                    origMax = scaling.optInt("original_max_position_embeddings", origMax);
                    betaFast = scaling.optDouble("beta_fast", 32);
                    betaSlow = scaling.optDouble("beta_slow", 1);
                    attn = scaling.optDouble("attention_factor", Double.NaN);
                }
                default -> throw scaling.error("rope_type", "'" + type + "' is not supported (supported: default, yarn)");
            }
        }
        if (Double.isNaN(attn)) attn = type.equals("yarn") ? 0.1 * Math.log(factor) + 1.0 : 1.0;
        return new RopeConfig(theta, type, factor, origMax, betaFast, betaSlow, attn, mrope);
    }
}
