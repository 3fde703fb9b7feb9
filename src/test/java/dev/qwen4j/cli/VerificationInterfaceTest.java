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

/** The documented commands (`tokenize`, `logits`, `run --json`) behave exactly as the README says. */
class VerificationInterfaceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = Golden.model("tiny-qwen3").toString();

    @TempDir
    Path tmp;


    @Test
    void tokenizePrintsJsonArray() {
        Result r = cli("tokenize", "--model", MODEL, "--text", "Hello world");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo("[9707,1879]");
    }

    @Test
    void tokenizeReadsTheTokenizerOfAGgufFile() {
        Path gguf = tmp.resolve("tiny.gguf");
        assertThat(cli("quantize", "--model", MODEL, "--type", "q8_0", "-o", gguf.toString()).exit()).isZero();
        Result r = cli("tokenize", "--model", gguf.toString(), "--text", "Hello world<|im_end|>");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("[9707,1879,151645]");
    }

    @Test
    void runStatsLeaveTheOneTimeDecodeCopiesOutOfItsSpeeds() {
        Path gguf = tmp.resolve("tiny-q4_0.gguf");
        assertThat(cli("quantize", "--model", MODEL, "--type", "q4_0", "-o", gguf.toString()).exit()).isZero();
        Result r = cli("run", "--model", gguf.toString(), "--text", "Hello", "--max-tokens", "3", "--stats");
        assertThat(r.exit()).as(r.err()).isZero();
        // the copies are made (and timed) before the prompt runs, so the speeds below exclude them
        assertThat(r.err()).containsPattern("interleaved \\d+ MiB of 4- to 6-bit weights for decode in [0-9.]+ s");
        assertThat(r.err().indexOf("interleaved")).isLessThan(r.err().indexOf("prompt: "));
        Result quiet = cli("run", "--model", gguf.toString(), "--text", "Hello", "--max-tokens", "3");
        assertThat(quiet.exit()).as(quiet.err()).isZero();
        assertThat(quiet.err()).doesNotContain("interleaved");
    }

    @Test
    void runJsonMatchesGoldenGreedyForEveryCase() throws Exception {
        JsonNode golden = Golden.cases("tiny-qwen3.json");
        for (JsonNode c : golden.get("cases")) {
            List<String> args = new ArrayList<>(List.of("run", "--model", MODEL, "--temperature", "0", "--max-tokens", "16", "--ignore-eos", "--json"));
            String kind = c.get("kind").asText();
            if (kind.equals("ids")) {
                args.addAll(List.of("--tokens", join(c.get("input_ids"))));
            } else if (kind.equals("text")) {
                args.addAll(List.of("--prompt", c.get("prompt_text").asText()));
            } else {
                Path messages = tmp.resolve(c.get("name").asText() + ".json");
                Files.writeString(messages, JSON.writeValueAsString(c.get("messages")));
                args.addAll(List.of("--messages", messages.toString()));
                JsonNode think = c.get("chat_template_kwargs").get("enable_thinking");
                if (think != null) args.addAll(List.of("--think", think.asBoolean() ? "on" : "off"));
            }
            Result r = cli(args.toArray(String[]::new));
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode o = JSON.readTree(r.out());
            assertThat(Golden.ints(o.get("token_ids"))).as(c.get("name").asText())
                    .containsExactly(Golden.ints(c.get("greedy").get("tokens")));
            assertThat(o.get("text").asText()).isEqualTo(c.get("greedy").get("text").asText());
        }
    }

    @Test
    void logitBiasForcesATokenAndRejectsBadValues() throws Exception {
        Result r = cli("run", "--model", MODEL, "--tokens", "9707,1879", "--temperature", "0", "--max-tokens", "3", "--ignore-eos",
                "--logit-bias", "1000=100", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Golden.ints(JSON.readTree(r.out()).get("token_ids"))).containsExactly(1000, 1000, 1000);
        Result bad = cli("run", "--model", MODEL, "--tokens", "9707", "--logit-bias", "1000=150", "--json");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("logit bias").contains("1000");
    }

    /** --json-schema: the answer validates with thinking off, on (the model may or may not open <think>) and on raw prompts. */
    @Test
    void jsonSchemaConstrainsTheAnswer() throws Exception {
        Path schema = tmp.resolve("verdict.schema.json");
        Files.writeString(schema, "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},\"grade\":{\"enum\":[\"A\",\"B\"]}},"
                + "\"required\":[\"ok\",\"grade\"],\"additionalProperties\":false}");
        for (String think : new String[] {"off", "on"}) {
            Result r = cli("run", "--model", MODEL, "--chat", "Grade this part", "--think", think, "--temperature", "0",
                    "--max-tokens", "300", "--json-schema", schema.toString(), "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode o = JSON.readTree(r.out());
            assertThat(o.get("finish_reason").asText()).as(r.out()).isEqualTo("stop");
            JsonNode answer = JSON.readTree(o.get("content").asText());
            assertThat(answer.get("ok").isBoolean()).as(r.out()).isTrue();
            assertThat(answer.get("grade").asText()).isIn("A", "B");
            assertThat(answer.size()).isEqualTo(2);
        }
        Result raw = cli("run", "--model", MODEL, "--prompt", "Verdict:", "--temperature", "0", "--max-tokens", "300",
                "--json-schema", schema.toString(), "--json");
        assertThat(raw.exit()).as(raw.err()).isZero();
        assertThat(JSON.readTree(JSON.readTree(raw.out()).get("text").asText()).get("grade").asText()).isIn("A", "B");
    }

    @Test
    void logitsWritesRawLittleEndianFloats() throws Exception {
        JsonNode c = Golden.cases("tiny-qwen3.json").get("cases").get(1);
        Path out = tmp.resolve("logits.bin");
        Result r = cli("logits", "--model", MODEL, "--tokens", join(c.get("input_ids")), "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        byte[] bytes = Files.readAllBytes(out);
        assertThat(bytes.length).isEqualTo(151936 * 4);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] top = Golden.ints(c.get("last_logits").get("top20_ids"));
        double[] values = Golden.doubles(c.get("last_logits").get("top20_values"));
        for (int i = 0; i < top.length; i++) assertThat((double) b.getFloat(top[i] * 4)).isCloseTo(values[i], within(1e-3));
    }

    @Test
    void badInputsGiveOneClearLine() {
        Result missing = cli("run", "--model", tmp.resolve("nope").toString(), "--tokens", "1", "--json");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("qwen4j: error:").contains("nope");

        Result outOfRange = cli("run", "--model", MODEL, "--tokens", "1,999999", "--json");
        assertThat(outOfRange.exit()).isNotZero();
        assertThat(outOfRange.err()).contains("999999").contains("out of range");

        Result badThink = cli("run", "--model", MODEL, "--chat", "hi", "--think", "maybe");
        assertThat(badThink.exit()).isEqualTo(2);
        assertThat(badThink.err()).contains("--think must be on or off");

        Result badTemp = cli("run", "--model", MODEL, "--tokens", "1", "--temperature", "-1");
        assertThat(badTemp.exit()).isEqualTo(2);
        assertThat(badTemp.err()).containsIgnoringCase("temperature");
    }

    private static String join(JsonNode ids) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode id : ids) sb.append(sb.isEmpty() ? "" : ",").append(id.asInt());
        return sb.toString();
    }
}
