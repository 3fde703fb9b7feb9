package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.tensor.WeightMatrix;

/**
 * Learned absolute position embeddings resampled to an item's patch grid (spec §3.4 b): bilinear
 * interpolation of the N×N table with align-corners sampling, rows at linspace(0, N−1, h) and
 * columns at linspace(0, N−1, w), so the corner patches read the table's corners exactly. The h×w
 * result is repeated for every temporal group and put in merge-window order like the pixel rows.
 */
final class VisionPositionEmbedding {
    private final WeightMatrix table; // [N·N, Hv], row r·N + c
    private final int side;
    private final int merge;

    VisionPositionEmbedding(WeightMatrix table, int side, int merge) {
        this.table = table;
        this.side = side;
        this.merge = merge;
    }

    /** out[tok·Hv ..] += the position embedding of every patch of the items (t, h, w triples). */
    void addTo(float[] out, int[] gridThw) {
        int hv = table.cols();
        float[] row = new float[hv];
        int tok = 0;
        for (int i = 0; i < gridThw.length; i += 3) {
            int t = gridThw[i], h = gridThw[i + 1], w = gridThw[i + 2];
            float[] raster = interpolate(h, w);
            for (int g = 0; g < t; g++) {
                for (int bi = 0; bi < h / merge; bi++) {
                    for (int bj = 0; bj < w / merge; bj++) {
                        for (int ii = 0; ii < merge; ii++) {
                            for (int jj = 0; jj < merge; jj++) {
                                int r = bi * merge + ii, c = bj * merge + jj;
                                System.arraycopy(raster, (r * w + c) * hv, row, 0, hv);
                                for (int d = 0; d < hv; d++) out[tok * hv + d] += row[d];
                                tok++;
                            }
                        }
                    }
                }
            }
        }
    }

    /** The h×w grid of interpolated embeddings in raster order: [h·w, Hv]. */
    float[] interpolate(int h, int w) {
        int hv = table.cols();
        double[] ys = linspace(side - 1, h), xs = linspace(side - 1, w);
        float[] out = new float[h * w * hv];
        float[] a = new float[hv], b = new float[hv], c = new float[hv], d = new float[hv];
        for (int i = 0; i < h; i++) {
            int fy = (int) ys[i], cy = Math.min(fy + 1, side - 1);
            double dy = ys[i] - fy;
            for (int j = 0; j < w; j++) {
                int fx = (int) xs[j], cx = Math.min(fx + 1, side - 1);
                double dx = xs[j] - fx;
                table.rowInto(fy * side + fx, a, 0);
                table.rowInto(fy * side + cx, b, 0);
                table.rowInto(cy * side + fx, c, 0);
                table.rowInto(cy * side + cx, d, 0);
                float w00 = (float) ((1 - dy) * (1 - dx)), w01 = (float) ((1 - dy) * dx);
                float w10 = (float) (dy * (1 - dx)), w11 = (float) (dy * dx);
                int o = (i * w + j) * hv;
                for (int k = 0; k < hv; k++) out[o + k] = w00 * a[k] + w01 * b[k] + w10 * c[k] + w11 * d[k];
            }
        }
        return out;
    }

    /** numpy/torch linspace(0, stop, n): i·stop/(n−1), the last value exactly stop; [0] for n = 1. */
    static double[] linspace(double stop, int n) {
        double[] v = new double[n];
        if (n == 1) return v;
        double step = stop / (n - 1);
        for (int i = 0; i < n; i++) v[i] = i * step;
        v[n - 1] = stop;
        return v;
    }
}
