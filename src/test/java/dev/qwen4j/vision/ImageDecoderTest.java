package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding every supported format to RGB exactly like Pillow's convert('RGB'), and every way a file can be bad. */
class ImageDecoderTest {
    private static final Path DIR = Path.of("src/test/resources/vision/formats");
    /**
     * Where the Java decoders legitimately differ from libjpeg-turbo/libwebp, the test compares with
     * Pillow's pixels (NAME.rgb) within a bound: subsampled 4-channel JPEGs upsample chroma slightly
     * differently (±1 level); TwelveMonkeys' lossy VP8 decoder upsamples chroma without libwebp's
     * "fancy" filter (large errors at sharp colour edges, small on average).
     */
    private static final Map<String, double[]> NEAR = Map.of(
            "ycck_adobe2.jpg", new double[] {1, 0.5},
            "cmyk_adobe0_jdk.jpg", new double[] {1, 0.5},
            "lossy.webp", new double[] {96, 8});

    @TempDir
    Path tmp;

    static Stream<Map.Entry<String, JsonNode>> fixtures() throws IOException {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        new ObjectMapper().readTree(DIR.resolve("expected.json").toFile()).get("files").properties().forEach(out::add);
        return out.stream();
    }

    @Test
    void fixturesCoverEveryFormatAndPillowMode() throws IOException {
        List<String> names = fixtures().map(Map.Entry::getKey).toList();
        assertThat(names).anyMatch(n -> n.endsWith(".png")).anyMatch(n -> n.endsWith(".jpg"))
                .anyMatch(n -> n.endsWith(".webp")).anyMatch(n -> n.endsWith(".bmp"))
                .anyMatch(n -> n.endsWith(".gif")).anyMatch(n -> n.endsWith(".tif"));
        assertThat(fixtures().map(e -> e.getValue().get("mode").asText()).distinct())
                .contains("RGB", "RGBA", "L", "LA", "P", "1", "I", "CMYK");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void decodesLikePillowConvertRgb(Map.Entry<String, JsonNode> fixture) throws IOException {
        JsonNode e = fixture.getValue();
        RgbImage img = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, false).decode(DIR.resolve(fixture.getKey()));
        assertThat(img.width()).isEqualTo(e.get("width").asInt());
        assertThat(img.height()).isEqualTo(e.get("height").asInt());
        double[] bound = NEAR.get(fixture.getKey());
        if (bound == null) {
            assertThat(Sha256.hex(img.pixels())).isEqualTo(e.get("rgb_sha256").asText());
            return;
        }
        byte[] pillow = Files.readAllBytes(DIR.resolve(fixture.getKey() + ".rgb"));
        assertThat(Sha256.hex(pillow)).isEqualTo(e.get("rgb_sha256").asText());
        long sum = 0;
        int max = 0;
        for (int i = 0; i < pillow.length; i++) {
            int d = Math.abs((img.pixels()[i] & 0xFF) - (pillow[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        assertThat(max).as("max |Δ|").isLessThanOrEqualTo((int) bound[0]);
        assertThat((double) sum / pillow.length).as("mean |Δ|").isLessThan(bound[1]);
    }

    /** The default decoder undoes EXIF orientation like transformers' load_image (ImageOps.exif_transpose). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void defaultDecoderAppliesExifOrientation(Map.Entry<String, JsonNode> fixture) {
        JsonNode e = fixture.getValue();
        if (NEAR.containsKey(fixture.getKey())) return; // pixels checked within bounds above
        ImageDecoder decoder = new ImageDecoder();
        Path file = DIR.resolve(fixture.getKey());
        RgbImage img = decoder.decode(file);
        boolean swapped = e.get("orientation").asInt() >= 5;
        assertThat(img.width()).isEqualTo(e.get(swapped ? "height" : "width").asInt());
        assertThat(decoder.probeSize(file)).containsExactly(img.width(), img.height());
        assertThat(Sha256.hex(img.pixels())).isEqualTo(e.get("exif_transposed_sha256").asText());
    }

    @Test
    void everyExifOrientationIsCovered() throws IOException {
        assertThat(fixtures().map(e -> e.getValue().get("orientation").asInt()).distinct()).contains(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void bytesAndFileGiveTheSameImage() throws IOException {
        Path f = DIR.resolve("rgba.png");
        assertThat(new ImageDecoder().decode(Files.readAllBytes(f), "upload").pixels())
                .isEqualTo(new ImageDecoder().decode(f).pixels());
    }

    @Test
    void truncatedBytesAreRejectedLikeTruncatedFiles() throws IOException {
        for (String name : truncatable().toList()) {
            byte[] full = Files.readAllBytes(DIR.resolve(name));
            byte[] cut = java.util.Arrays.copyOf(full, full.length * 2 / 3);
            assertThatThrownBy(() -> new ImageDecoder().decode(cut, "upload " + name)).as(name)
                    .isInstanceOf(BadMediaException.class).hasMessageStartingWith("upload " + name + ":")
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void textIsNotAnImage() throws IOException {
        Path f = Files.writeString(tmp.resolve("notes.png"), "hello, I am not a picture\n".repeat(20));
        assertThatThrownBy(() -> new ImageDecoder().decode(f))
                .isInstanceOf(BadMediaException.class).hasMessageContaining(f.toString()).hasMessageContaining("not a supported image");
        assertThatThrownBy(() -> new ImageDecoder().decode("plain text".getBytes(StandardCharsets.UTF_8), "request.image[0]"))
                .isInstanceOf(BadMediaException.class).hasMessageStartingWith("request.image[0]:");
    }

    @Test
    void emptyMissingAndFolderAreReported() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.jpg"));
        assertThatThrownBy(() -> new ImageDecoder().decode(empty)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("empty");
        Path missing = tmp.resolve("missing.png");
        assertThatThrownBy(() -> new ImageDecoder().decode(missing)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining("missing.png").hasMessageContaining("not found");
        assertThatThrownBy(() -> new ImageDecoder().decode(tmp)).isInstanceOf(BadMediaException.class).hasMessageContaining("folder");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("truncatable")
    void truncatedFilesAreRejected(String name) throws IOException {
        byte[] full = Files.readAllBytes(DIR.resolve(name));
        Path cut = tmp.resolve("cut-" + name);
        Files.write(cut, java.util.Arrays.copyOf(full, full.length * 2 / 3));
        assertThatThrownBy(() -> new ImageDecoder().decode(cut)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining(cut.toString()).hasMessageContaining("truncated");
    }

    static Stream<String> truncatable() {
        return Stream.of("rgb.png", "rgba16.png", "rgb_q95_444.jpg", "cmyk.jpg", "lossless.webp", "lossy.webp", "rgb.bmp", "palette.gif", "rgb_lzw.tif");
    }

    @Test
    void zeroSizeImagesAreRejected() throws IOException {
        Path png = Files.write(tmp.resolve("zero.png"), png(0, 5, new byte[0]));
        assertThatThrownBy(() -> new ImageDecoder().decode(png)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining(png.toString()).hasMessageContaining("width");
        Path gif = Files.write(tmp.resolve("zero.gif"), zeroSizeGif());
        assertThatThrownBy(() -> new ImageDecoder().decode(gif)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining(gif.toString());
    }

    /** A 60-byte PNG claiming 100000 x 100000 must be refused from its header, long before any allocation. */
    @Test
    void hugeImagesAreRefusedFromTheHeader() throws IOException {
        Path bomb = Files.write(tmp.resolve("bomb.png"), png(100_000, 100_000, new byte[] {0}));
        assertThatThrownBy(() -> new ImageDecoder().decode(bomb)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining(bomb.toString()).hasMessageContaining("100000x100000")
                .hasMessageContaining("limit of " + ImageDecoder.DEFAULT_MAX_PIXELS);
        Path ok = DIR.resolve("rgb.png"); // 37 x 23 = 851 pixels
        assertThat(new ImageDecoder(851).decode(ok).width()).isEqualTo(37);
        assertThatThrownBy(() -> new ImageDecoder(850).decode(ok)).isInstanceOf(BadMediaException.class)
                .hasMessageContaining("851 pixels");
    }

    /** A minimal PNG: IHDR (8-bit RGB) + one IDAT of the given raw scanline bytes + IEND. */
    static byte[] png(int width, int height, byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = d.deflate(buf);
        chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** GIF89a whose logical screen and only image are 0 x 0. */
    private static byte[] zeroSizeGif() {
        return new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0, (byte) 0x80, 0, 0,
                0, 0, 0, (byte) 255, (byte) 255, (byte) 255,
                0x2C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};
    }
}
