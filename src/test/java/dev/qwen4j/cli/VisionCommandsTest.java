package dev.qwen4j.cli;

import static dev.qwen4j.cli.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qwen4j.cli.CliRunner.Result;
import dev.qwen4j.testing.Golden;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `run`, `logits` and `tokenize`-style verification commands with --image on the tiny Qwen3-VL model. */
class VisionCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VL = Golden.model("tiny-qwen3-vl").toString();

    @TempDir
    Path tmp;

    private static String image(String name) {
        return Golden.ROOT.resolve("cases/images/" + name + ".png").toString();
    }

    private List<String> messageArgs(JsonNode c) throws Exception {
        Path messages = tmp.resolve(c.get("name").asText() + ".json");
        Files.writeString(messages, JSON.writeValueAsString(c.get("messages")));
        List<String> args = new ArrayList<>(List.of("--model", VL, "--messages", messages.toString()));
        for (JsonNode img : c.get("images")) args.addAll(List.of("--image", image(img.asText())));
        return args;
    }

    @Test
    void runJsonMatchesGoldenGreedyForEveryVlCase() throws Exception {
        for (JsonNode c : Golden.cases("tiny-qwen3-vl.json").get("cases")) {
            List<String> args = new ArrayList<>(List.of("run", "--temperature", "0", "--max-tokens", "16", "--ignore-eos", "--json"));
            args.addAll(messageArgs(c));
            Result r = cli(args.toArray(String[]::new));
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode o = JSON.readTree(r.out());
            assertThat(Golden.ints(o.get("token_ids"))).as(c.get("name").asText()).containsExactly(Golden.ints(c.get("greedy").get("tokens")));
            assertThat(o.get("usage").get("prompt_tokens").asInt()).isEqualTo(c.get("num_input_tokens").asInt());
        }
    }

    @Test
    void logitsWithAnImageMatchGolden() throws Exception {
        JsonNode c = Golden.cases("tiny-qwen3-vl.json").get("cases").get(1);
        Path out = tmp.resolve("logits.bin");
        List<String> args = new ArrayList<>(List.of("logits", "--output", out.toString()));
        args.addAll(messageArgs(c));
        Result r = cli(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        int[] top = Golden.ints(c.get("last_logits").get("top20_ids"));
        double[] values = Golden.doubles(c.get("last_logits").get("top20_values"));
        for (int i = 0; i < top.length; i++) assertThat((double) b.getFloat(top[i] * 4)).isCloseTo(values[i], within(1e-3));
    }

    @Test
    void chatWithAnImagePutsTheImageBeforeTheText() throws Exception {
        // vl_image_checker is exactly one user message: [image, text].
        JsonNode c = Golden.cases("tiny-qwen3-vl.json").get("cases").get(3);
        String text = c.get("messages").get(0).get("content").get(1).get("text").asText();
        Result r = cli("run", "--model", VL, "--chat", text, "--image", image("checker_32x32"), "--temperature", "0",
                "--max-tokens", "16", "--ignore-eos", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Golden.ints(JSON.readTree(r.out()).get("token_ids"))).containsExactly(Golden.ints(c.get("greedy").get("tokens")));
    }

    @Test
    void videoFileRunsEndToEnd() throws Exception {
        Path clip = tmp.resolve("clip.mkv");
        int w = 64, h = 48, frames = 12;
        try (org.bytedeco.javacv.FFmpegFrameRecorder rec = new org.bytedeco.javacv.FFmpegFrameRecorder(clip.toFile(), w, h, 0)) {
            rec.setFormat("matroska");
            rec.setVideoCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_FFV1);
            rec.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR0);
            rec.setFrameRate(4);
            rec.start();
            for (int i = 0; i < frames; i++) {
                org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(w, h, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3);
                ByteBuffer b = (ByteBuffer) f.image[0];
                for (int y = 0; y < h; y++) {
                    b.position(y * f.imageStride);
                    for (int x = 0; x < w; x++) b.put((byte) (20 * i)).put((byte) (4 * x)).put((byte) (5 * y));
                }
                b.rewind();
                rec.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
            }
        }
        Result pre = cli("preprocess", "--model", VL, "--video", clip.toString(), "--json");
        assertThat(pre.exit()).as(pre.err()).isZero();
        JsonNode p = JSON.readTree(pre.out());
        int videoTokens = p.get("num_video_tokens").asInt();
        int groups = p.get("grid_thw").get(0).asInt();
        assertThat(p.get("timestamps")).hasSize(groups);

        Result r = cli("run", "--model", VL, "--chat", "What happens?", "--video", clip.toString(), "--temperature", "0",
                "--max-tokens", "6", "--ignore-eos", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("token_ids")).hasSize(6);
        Result textOnly = cli("run", "--model", VL, "--chat", "What happens?", "--temperature", "0", "--max-tokens", "1", "--json");
        int textTokens = JSON.readTree(textOnly.out()).get("usage").get("prompt_tokens").asInt();
        // Each temporal group adds its pads, <|vision_start|>/<|vision_end|> and a "<t seconds>" label.
        assertThat(o.get("usage").get("prompt_tokens").asInt()).isGreaterThan(textTokens + videoTokens + 2 * groups);
    }

    @Test
    void badMediaAndMismatchesAreClearErrors() throws Exception {
        Path notAnImage = tmp.resolve("notes.png");
        Files.writeString(notAnImage, "this is text");
        Result bad = cli("run", "--model", VL, "--chat", "hi", "--image", notAnImage.toString(), "--max-tokens", "2");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("qwen4j: error:").contains("notes.png");

        Result textModel = cli("run", "--model", Golden.model("tiny-qwen3").toString(), "--chat", "hi", "--image", image("checker_32x32"));
        assertThat(textModel.exit()).isEqualTo(2);
        assertThat(textModel.err()).contains("vision-language model");

        Path messages = tmp.resolve("two.json");
        Files.writeString(messages, "[{\"role\": \"user\", \"content\": [{\"type\": \"image\"}, {\"type\": \"image\"}, {\"type\": \"text\", \"text\": \"x\"}]}]");
        Result missing = cli("run", "--model", VL, "--messages", messages.toString(), "--image", image("checker_32x32"), "--max-tokens", "2");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("2 image placeholder(s) but 1 image(s)");
    }
}
