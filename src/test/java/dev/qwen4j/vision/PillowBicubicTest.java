package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qwen4j.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bicubic resize against Pillow's own output and against a plain double-precision re-derivation. */
class PillowBicubicTest {
    private static final Path DIR = Path.of("src/test/resources/vision/resize");

    @Test
    void matchesPillowOnRandomImagesUpDownAndSingleAxis() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile()).get("cases");
        assertThat(cases.size()).isGreaterThanOrEqualTo(16);
        for (JsonNode c : cases) {
            RgbImage src = new ImageDecoder().decode(DIR.resolve(c.get("source").asText()));
            RgbImage out = PillowBicubic.resize(src, c.get("width").asInt(), c.get("height").asInt());
            assertThat(Sha256.hex(out.pixels())).as("%s -> %dx%d", c.get("source").asText(), out.width(), out.height())
                    .isEqualTo(c.get("rgb_sha256").asText());
        }
    }

    @Test
    void sameSizeIsAnIdenticalCopy() {
        RgbImage src = random(19, 13, 1);
        RgbImage out = PillowBicubic.resize(src, 19, 13);
        assertThat(out.pixels()).isEqualTo(src.pixels()).isNotSameAs(src.pixels());
    }

    @Test
    void constantImageStaysConstantAtAnyScale() {
        byte[] px = new byte[40 * 30 * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 7;
            px[i + 2] = (byte) 255;
        }
        RgbImage src = new RgbImage(40, 30, px);
        for (int[] size : new int[][] {{3, 2}, {41, 29}, {400, 7}, {13, 300}}) {
            RgbImage out = PillowBicubic.resize(src, size[0], size[1]);
            for (int i = 0; i < out.pixels().length; i += 3) {
                assertThat(out.pixels()[i] & 0xFF).isEqualTo(200);
                assertThat(out.pixels()[i + 1] & 0xFF).isEqualTo(7);
                assertThat(out.pixels()[i + 2] & 0xFF).isEqualTo(255);
            }
        }
    }

    /** Fixed point (22 bits) vs exact double sums: only values within a hair of .5 may round differently. */
    @Test
    void agreesWithScalarDoubleReferenceOnRandomImages() {
        SplittableRandom rnd = new SplittableRandom(7);
        long compared = 0, off = 0;
        for (int trial = 0; trial < 40; trial++) {
            int w = 1 + rnd.nextInt(120), h = 1 + rnd.nextInt(120);
            int ow = 1 + rnd.nextInt(160), oh = 1 + rnd.nextInt(160);
            RgbImage src = trial % 2 == 0 ? random(w, h, rnd.nextLong()) : smooth(w, h, rnd.nextLong());
            byte[] got = PillowBicubic.resize(src, ow, oh).pixels();
            byte[] ref = referenceResize(src, ow, oh);
            for (int i = 0; i < got.length; i++) {
                int d = Math.abs((got[i] & 0xFF) - (ref[i] & 0xFF));
                assertThat(d).as("trial %d %dx%d -> %dx%d at %d", trial, w, h, ow, oh, i).isLessThanOrEqualTo(1);
                if (d != 0) off++;
            }
            compared += got.length;
        }
        assertThat((double) off / compared).isLessThan(1e-3);
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        RgbImage src = random(517, 389, 3);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            byte[] one = PillowBicubic.resize(src, 224, 1000).pixels();
            Parallel.setThreads(3);
            byte[] three = PillowBicubic.resize(src, 224, 1000).pixels();
            assertThat(three).isEqualTo(one);
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Independent scalar version of the algorithm: weights straight from the cubic kernel (a = −0.5,
     * support widened by the downscale factor), sums in double, each pass rounded half-up and clamped.
     */
    static byte[] referenceResize(RgbImage src, int ow, int oh) {
        int w = src.width(), h = src.height();
        double[][] hw = new double[ow][];
        int[] hs = new int[ow];
        weights(w, ow, hw, hs);
        double[][] vw = new double[oh][];
        int[] vs = new int[oh];
        weights(h, oh, vw, vs);
        boolean doH = ow != w, doV = oh != h;
        int[] tmp = new int[w * h * 3];
        int tw = w;
        for (int i = 0; i < tmp.length; i++) tmp[i] = src.pixels()[i] & 0xFF;
        if (doH) {
            int[] t2 = new int[ow * h * 3];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < ow; x++)
                    for (int c = 0; c < 3; c++) {
                        double s = 0;
                        for (int k = 0; k < hw[x].length; k++) s += hw[x][k] * tmp[(y * w + hs[x] + k) * 3 + c];
                        t2[(y * ow + x) * 3 + c] = clampRound(s);
                    }
            tmp = t2;
            tw = ow;
        }
        int[] out = tmp;
        if (doV) {
            out = new int[tw * oh * 3];
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < tw; x++)
                    for (int c = 0; c < 3; c++) {
                        double s = 0;
                        for (int k = 0; k < vw[y].length; k++) s += vw[y][k] * tmp[((vs[y] + k) * tw + x) * 3 + c];
                        out[(y * tw + x) * 3 + c] = clampRound(s);
                    }
        }
        byte[] b = new byte[out.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) out[i];
        return b;
    }

    private static void weights(int in, int out, double[][] w, int[] start) {
        double scale = (double) in / out;
        double fs = Math.max(1, scale);
        double support = 2 * fs;
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = (int) Math.max(0, Math.floor(center - support + 0.5));
            int hi = (int) Math.min(in, Math.floor(center + support + 0.5));
            double[] k = new double[hi - lo];
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                double t = Math.abs((j + 0.5 - center) / fs);
                double v = t < 1 ? 1.5 * t * t * t - 2.5 * t * t + 1 : t < 2 ? -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2 : 0;
                k[j - lo] = v;
                sum += v;
            }
            for (int j = 0; j < k.length; j++) k[j] /= sum;
            w[i] = k;
            start[i] = lo;
        }
    }

    private static int clampRound(double s) {
        return (int) Math.max(0, Math.min(255, Math.floor(s + 0.5)));
    }

    static RgbImage random(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new SplittableRandom(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    private static RgbImage smooth(int w, int h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double a = r.nextDouble(0.01, 0.3), b = r.nextDouble(0.01, 0.3);
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    px[(y * w + x) * 3 + c] = (byte) (127.5 + 127.5 * Math.sin(a * x * (c + 1) + b * y));
        return new RgbImage(w, h, px);
    }
}
