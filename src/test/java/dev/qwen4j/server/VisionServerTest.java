package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.MultimodalInput;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ReasoningParser;
import dev.qwen4j.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Image parts through the official OpenAI SDK, served by the tiny Qwen3-VL model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VisionServerTest {
    private static final String MODEL = "tiny-qwen3-vl";
    private Qwen3Runtime rt;
    private OpenAiServer server;
    private OpenAIClient client;

    @BeforeAll
    void start() throws Exception {
        rt = Qwen3Runtime.open(Golden.model(MODEL));
        server = OpenAiServer.start(ServedModel.start(MODEL, rt, EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxModelLen(1024)),
                ServerConfig.defaults(MODEL).withPort(0).withMaxBodyBytes(1 << 20));
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        server.close();
        rt.close();
    }

    private static String dataUrl(Path png) throws Exception {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }

    private static ChatCompletionCreateParams imageChat(String url, String text, int maxTokens) {
        return ChatCompletionCreateParams.builder().model(MODEL).temperature(0.0).maxCompletionTokens(maxTokens)
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(url).build()).build()),
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(text).build())))
                .build();
    }

    @Test
    void imagePartAnswersExactlyLikeTheGenerator() throws Exception {
        // The golden case vl_image_checker: one user message [image, text].
        JsonNode c = Golden.cases("tiny-qwen3-vl.json").get("cases").get(3);
        String text = c.get("messages").get(0).get("content").get(1).get("text").asText();
        Path image = Golden.ROOT.resolve("cases/images/checker_32x32.png");

        ChatCompletion answer = client.chat().completions().create(imageChat(dataUrl(image), text, 12));

        List<Map<String, Object>> messages = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(c.get("messages"),
                new com.fasterxml.jackson.core.type.TypeReference<List<Map<String, Object>>>() {});
        String rendered = rt.requireChatTemplate().render(messages, null, Map.of("add_generation_prompt", true));
        MultimodalInput input = MultimodalInput.tokenize(rt.tokenizer(), rendered, List.of(rt.imageProcessor().process(image)), List.of());
        assertThat(input.ids()).containsExactly(Golden.ints(c.get("input_ids")));
        GenerationResult solo;
        try (Generator g = rt.newGenerator()) {
            solo = g.generate(input, SamplingParams.greedy().withMaxTokens(12), GenerationListener.NONE);
        }
        // The server splits reasoning from content as a thinking-capable chat; split the solo text the same way.
        ReasoningParser parser = new ReasoningParser(false);
        ReasoningParser.Delta a = parser.push(solo.text()), b = parser.flush();
        assertThat(answer.choices().get(0).message().content().orElse("")).isEqualTo(a.content() + b.content());
        assertThat(answer.usage().orElseThrow().promptTokens()).isEqualTo(c.get("num_input_tokens").asLong());
    }

    @Test
    void badImagesAreOpenAiErrorsAndTheServerKeepsServing() throws Exception {
        assertThatThrownBy(() -> client.chat().completions().create(imageChat("data:image/png;base64,bm90IGFuIGltYWdl", "x", 4)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("not a supported image");
        assertThatThrownBy(() -> client.chat().completions().create(imageChat("http://127.0.0.1:1/cat.png", "x", 4)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("disabled");
        assertThatThrownBy(() -> client.chat().completions().create(imageChat("ftp://example.com/cat.png", "x", 4)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("data: URL or an http(s) URL");
        ChatCompletion ok = client.chat().completions().create(imageChat(dataUrl(Golden.ROOT.resolve("cases/images/gradient_100x60.png")), "Describe.", 3));
        assertThat(ok.choices()).hasSize(1);
    }

    @Test
    void remoteFetchingRefusesInternalAddresses() {
        ImageFetcher fetcher = new ImageFetcher(true, 1 << 20);
        for (String url : new String[] {"http://127.0.0.1/x.png", "http://localhost:8080/x.png", "http://10.0.0.1/x.png", "http://[::1]/x.png", "http://169.254.169.254/latest"}) {
            assertThatThrownBy(() -> fetcher.fetch(new ImagePart(url, "messages[0].content[0]")))
                    .as(url).isInstanceOf(ApiException.class).hasMessageContaining("internal addresses");
        }
    }
}
