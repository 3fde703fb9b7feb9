package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clips written here with FFmpeg, decoded back, and compared with an independent computation of the
 * Qwen3-VL video algorithm (spec §5.5 and §4.5): sampled indices, timestamps, grid and patch values.
 */
class VideoProcessorTest {
    static final int W = 100, H = 60, FRAMES = 45;
    static final double FPS = 30;
    static final VideoProcessor PROCESSOR = new VideoProcessor(ProcessorConfig.qwen3VlVideoDefaults());

    @TempDir
    static Path tmp;
    static Path lossless, mp4, webm;

    @BeforeAll
    static void writeClips() throws Exception {
        lossless = write("clip.mkv", "matroska", avcodec.AV_CODEC_ID_FFV1, avutil.AV_PIX_FMT_BGR0, FRAMES);
        mp4 = write("clip.mp4", "mp4", avcodec.AV_CODEC_ID_MPEG4, avutil.AV_PIX_FMT_YUV420P, FRAMES);
        webm = write("clip.webm", "webm", avcodec.AV_CODEC_ID_VP9, avutil.AV_PIX_FMT_YUV420P, FRAMES);
    }

    /** Frame i: red is flat 5·i (identifies the frame even after lossy coding), green/blue are ramps. */
    static RgbImage frame(int i) {
        return frame(i, W, H);
    }

    static RgbImage frame(int i, int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                px[o] = (byte) (5 * i);
                px[o + 1] = (byte) (x * 255 / (w - 1));
                px[o + 2] = (byte) ((y * 255 / (h - 1) + 3 * i) & 0xFF);
            }
        return new RgbImage(w, h, px);
    }

    static Path write(String name, String format, int codec, int pixFmt, int frames) throws Exception {
        return write(name, format, codec, pixFmt, frames, W, H, FPS);
    }

    static Path write(String name, String format, int codec, int pixFmt, int frames, int w, int h, double fps) throws Exception {
        Path file = tmp.resolve(name);
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), w, h, 0)) {
            rec.setFormat(format);
            rec.setVideoCodec(codec);
            rec.setPixelFormat(pixFmt);
            rec.setFrameRate(fps);
            rec.setVideoQuality(2); // near-lossless quantiser for the lossy codecs
            rec.start();
            for (int i = 0; i < frames; i++) {
                Frame f = new Frame(w, h, Frame.DEPTH_UBYTE, 3);
                ByteBuffer b = (ByteBuffer) f.image[0];
                byte[] px = frame(i, w, h).pixels();
                for (int y = 0; y < h; y++) {
                    b.position(y * f.imageStride);
                    b.put(px, y * w * 3, w * 3);
                }
                b.rewind();
                rec.record(f, avutil.AV_PIX_FMT_RGB24);
            }
        }
        return file;
    }

    // ---- independent re-derivation of the spec's algorithm ----

    static int[] expectedIndices(int total, double srcFps, double fps, int minF, int maxF) {
        int n = (int) Math.floor(total / srcFps * fps);
        n = Math.min(Math.min(Math.max(n, minF), maxF), total);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            double v = n == 1 ? 0 : (i == n - 1 ? total - 1 : i * ((total - 1.0) / (n - 1)));
            double fl = Math.floor(v);
            idx[i] = (int) (v - fl == 0.5 ? (fl % 2 == 0 ? fl : fl + 1) : Math.floor(v + 0.5));
        }
        return idx;
    }

    /** pixel_values[row][col] for the frame stack, straight from the 9-D permutation in the spec. */
    static float[] expectedPixels(List<RgbImage> frames, int h, int w) {
        int t = frames.size() + frames.size() % 2;
        int gh = h / 16, gw = w / 16;
        float[] out = new float[t / 2 * gh * gw * 1536];
        for (int ta = 0; ta < t; ta++) {
            RgbImage f = frames.get(Math.min(ta, frames.size() - 1));
            int g = ta / 2, tau = ta % 2;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int bi = y / 32, ii = (y / 16) % 2, py = y % 16, bj = x / 32, jj = (x / 16) % 2, px = x % 16;
                        int row = ((g * (gh / 2) + bi) * (gw / 2) + bj) * 4 + ii * 2 + jj;
                        int col = ((c * 2 + tau) * 16 + py) * 16 + px;
                        float v = (float) (f.get(x, y, c) / 255.0);
                        out[row * 1536 + col] = (v - 0.5f) / 0.5f;
                    }
        }
        return out;
    }

    @Test
    void losslessClipMatchesTheSpecExactly() {
        VideoInput v = PROCESSOR.process(lossless);
        int[] idx = expectedIndices(FRAMES, FPS, 2, 4, 768);
        assertThat(idx).containsExactly(0, 15, 29, 44); // 45 frames @30fps: 3 -> min 4 frames
        assertThat(v.frameIndices()).containsExactly(idx);
        assertThat(v.sourceFps()).isEqualTo(FPS);
        // (0+15)/30/2 = 0.25 prints "0.2" (Python rounds the binary value half-to-even); (29+44)/60 = 1.2167
        assertThat(v.timestampLabels()).containsExactly("<0.2 seconds>", "<1.2 seconds>");
        // smart_resize: 60/32 = 1.875 -> 64, 100/32 = 3.125 -> 96; 4·64·96 within [4096, 25165824]
        assertThat(v.vision().gridThw()).containsExactly(2, 4, 6);
        assertThat(v.vision().numTokens()).isEqualTo(12);
        assertThat(v.tokensPerGroup()).isEqualTo(6);
        List<RgbImage> frames = java.util.Arrays.stream(idx).mapToObj(i -> PillowBicubic.resize(frame(i), 96, 64)).toList();
        assertThat(v.vision().pixelValues()).containsExactly(expectedPixels(frames, 64, 96));
    }

    @Test
    void oddFrameCountIsPaddedWithTheLastFrame() {
        VideoInput v = PROCESSOR.process(new FfmpegVideoSource(lossless), new VideoOptions(null, 5, null, null));
        int[] idx = {0, 11, 22, 33, 44}; // round(linspace(0, 44, 5))
        assertThat(v.frameIndices()).containsExactly(idx);
        assertThat(v.vision().gridThw()).containsExactly(3, 4, 6);
        // Python: mean of the per-frame times idx/fps, in that order of operations
        assertThat(v.timestamps()).containsExactly(0.18333333333333332, 0.9166666666666667, 1.4666666666666666);
        assertThat(v.timestampLabels()).containsExactly("<0.2 seconds>", "<0.9 seconds>", "<1.5 seconds>");
        List<RgbImage> frames = java.util.Arrays.stream(idx).mapToObj(i -> PillowBicubic.resize(frame(i), 96, 64)).toList();
        assertThat(v.vision().pixelValues()).containsExactly(expectedPixels(frames, 64, 96));
    }

    /**
     * Tiny frames (30x18; the recorder only writes even sizes) at 7.5 fps: 90-byte rows that FFmpeg pads in
     * its buffers, the video rule's upscaling of frames below 32 pixels (scale 32/18: 18 -> 32,
     * 30 -> int(53.3) = 53 -> 64 wide), and a fractional frame rate.
     */
    @Test
    void tinyFramesWithPaddedRowsAtFractionalFps() throws Exception {
        Path clip = write("tiny.mkv", "matroska", avcodec.AV_CODEC_ID_FFV1, avutil.AV_PIX_FMT_BGR0, 5, 30, 18, 7.5);
        try (FfmpegVideoSource src = new FfmpegVideoSource(clip)) {
            assertThat(new int[] {src.width(), src.height(), src.frameCount()}).containsExactly(30, 18, 5);
        }
        VideoInput v = PROCESSOR.process(clip);
        int[] idx = expectedIndices(5, 7.5, 2, 4, 768);
        assertThat(idx).containsExactly(0, 1, 3, 4);
        assertThat(v.frameIndices()).containsExactly(idx);
        assertThat(v.sourceFps()).isEqualTo(7.5);
        assertThat(v.vision().gridThw()).containsExactly(2, 2, 4);
        assertThat(v.timestampLabels()).containsExactly("<0.1 seconds>", "<0.5 seconds>"); // 0.0667, 0.4667
        List<RgbImage> frames = java.util.Arrays.stream(idx).mapToObj(i -> PillowBicubic.resize(frame(i, 30, 18), 64, 32)).toList();
        assertThat(v.vision().pixelValues()).containsExactly(expectedPixels(frames, 32, 64));
    }

    @Test
    void lossyContainersGiveTheSameSamplingAndNearlyTheSamePixels() {
        VideoInput ref = PROCESSOR.process(lossless);
        for (Path clip : List.of(mp4, webm)) {
            try (FfmpegVideoSource src = new FfmpegVideoSource(clip)) {
                assertThat(src.frameCount()).as(clip.toString()).isEqualTo(FRAMES);
                assertThat(src.fps()).isCloseTo(FPS, org.assertj.core.api.Assertions.within(1e-6));
                assertThat(src.width()).isEqualTo(W);
                assertThat(src.height()).isEqualTo(H);
            }
            VideoInput v = PROCESSOR.process(clip);
            assertThat(v.frameIndices()).as(clip.toString()).containsExactly(ref.frameIndices());
            assertThat(v.timestampLabels()).containsExactlyElementsOf(ref.timestampLabels());
            assertThat(v.vision().gridThw()).containsExactly(ref.vision().gridThw());
            float[] a = v.vision().pixelValues(), b = ref.vision().pixelValues();
            double diff = 0;
            for (int i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
            assertThat(diff / a.length).as("mean |Δ| for %s", clip).isLessThan(0.05); // 0.05 ≈ 6 grey levels
        }
    }

    @Test
    void pixelBudgetAndFpsOverridesApply() {
        VideoInput v = PROCESSOR.process(lossless, 0, new VideoOptions(4.0, null, null, 4L * 32 * 32 * 4));
        assertThat(v.frameIndices()).containsExactly(expectedIndices(FRAMES, FPS, 4, 4, 768)); // 6 frames
        assertThat(v.frameIndices()).hasSize(6);
        int[] g = v.vision().gridThw();
        assertThat((long) g[0] * 2 * g[1] * 16 * g[2] * 16).isLessThanOrEqualTo(4L * 32 * 32 * 4);
    }

    /** transformers' opt-in cap_pixels_per_frame (values from its formula evaluated in Python). */
    @Test
    void perFrameCapShrinksShortClips() {
        FrameSource hd = new FrameSource() {
            public String name() { return "hd"; }
            public int width() { return 1280; }
            public int height() { return 720; }
            public int frameCount() { return 4; }
            public double fps() { return 30; }
            public void read(int[] indices, FrameSink sink) { throw new UnsupportedOperationException(); }
            public void close() {}
        };
        VideoOptions capped = new VideoOptions(null, null, null, null, true);
        assertThat(PROCESSOR.targetSize(hd, 4, VideoOptions.defaults())).isEqualTo(new ResizeTarget(704, 1280));
        assertThat(PROCESSOR.targetSize(hd, 4, capped)).isEqualTo(new ResizeTarget(640, 1152));
        assertThat(PROCESSOR.targetSize(hd, 600, capped)).isEqualTo(new ResizeTarget(128, 256));
    }

    @Test
    void folderOfFramesIsAVideoInNaturalOrder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("frames"));
        for (int i = 0; i < 12; i++) javax.imageio.ImageIO.write(toBuffered(frame(i)), "png", dir.resolve("frame_" + (i + 1) + ".png").toFile());
        Files.writeString(dir.resolve("notes.txt"), "not a frame");
        try (FrameFolderSource src = new FrameFolderSource(dir, 2)) {
            assertThat(src.files().stream().map(p -> p.getFileName().toString()).toList())
                    .startsWith("frame_1.png", "frame_2.png").endsWith("frame_10.png", "frame_11.png", "frame_12.png");
            VideoInput v = PROCESSOR.process(src, VideoOptions.defaults());
            assertThat(v.frameIndices()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11); // 12 frames @2fps, sampled at 2
            assertThat(v.timestampLabels()).containsExactly("<0.2 seconds>", "<1.2 seconds>", "<2.2 seconds>",
                    "<3.2 seconds>", "<4.2 seconds>", "<5.2 seconds>");
            List<RgbImage> frames = java.util.stream.IntStream.range(0, 12).mapToObj(i -> PillowBicubic.resize(frame(i), 96, 64)).toList();
            assertThat(v.vision().pixelValues()).containsExactly(expectedPixels(frames, 64, 96));
        }
    }

    @Test
    void badVideosAreReportedWithTheFileName() throws Exception {
        Path text = Files.writeString(tmp.resolve("fake.mp4"), "definitely not a video");
        assertThatThrownBy(() -> PROCESSOR.process(text)).isInstanceOf(BadMediaException.class).hasMessageContaining(text.toString());
        Path missing = tmp.resolve("missing.mkv");
        assertThatThrownBy(() -> PROCESSOR.process(missing)).isInstanceOf(BadMediaException.class).hasMessageContaining("not found");
        Path still = tmp.resolve("still.png");
        javax.imageio.ImageIO.write(toBuffered(frame(1)), "png", still.toFile());
        assertThatThrownBy(() -> PROCESSOR.process(still)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining(still.toString()).hasMessageContaining("at least 2 frames");
        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        javax.imageio.ImageIO.write(toBuffered(frame(0)), "png", mixed.resolve("a1.png").toFile());
        javax.imageio.ImageIO.write(toBuffered(PillowBicubic.resize(frame(1), 50, 30)), "png", mixed.resolve("a2.png").toFile());
        assertThatThrownBy(() -> PROCESSOR.process(mixed, 2, VideoOptions.defaults())).isInstanceOf(BadMediaException.class)
                .hasMessageContaining("a2.png").hasMessageContaining("one size");
        assertThatThrownBy(() -> new FfmpegVideoSource(lossless, 100)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining("limit of 100");
    }

    static java.awt.image.BufferedImage toBuffered(RgbImage img) {
        var bi = new java.awt.image.BufferedImage(img.width(), img.height(), java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.height(); y++)
            for (int x = 0; x < img.width(); x++)
                bi.setRGB(x, y, img.get(x, y, 0) << 16 | img.get(x, y, 1) << 8 | img.get(x, y, 2));
        return bi;
    }
}
