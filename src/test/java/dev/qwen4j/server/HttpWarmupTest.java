package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.testing.Golden;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** `serve`'s requests to its own port before it announces itself. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpWarmupTest {
    private Qwen3Runtime rt;

    @BeforeAll
    void open() {
        rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
    }

    @AfterAll
    void close() {
        rt.close();
    }

    private OpenAiServer start(EngineConfig engine, String apiKey) throws Exception {
        return OpenAiServer.start(ServedModel.start("m", rt, engine), ServerConfig.defaults("m").withPort(0).withApiKey(apiKey));
    }

    private static String metrics(OpenAiServer server) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void chatsThroughItsOwnPortWholeAndStreamedThenCountsClientsOnly() throws Exception {
        // with an API key the warm-up must send it: without, its requests would get 401
        OpenAiServer server = start(EngineConfig.defaults().withKvBudgetBytes(64L << 20), "secret");
        try {
            List<String> bodies = HttpWarmup.run(server);
            assertThat(bodies).hasSize(2);
            JsonNode whole = new ObjectMapper().readTree(bodies.get(0));
            assertThat(whole.get("object").asText()).isEqualTo("chat.completion");
            assertThat(whole.get("usage").get("completion_tokens").asInt()).isEqualTo(HttpWarmup.MAX_TOKENS);
            assertThat(bodies.get(1)).contains("\"object\":\"chat.completion.chunk\"").endsWith("data: [DONE]\n\n");
            // then the counters started over
            assertThat(server.served().engine().metrics().generatedTokens()).isZero();
            assertThat(server.served().engine().metrics().promptTokens()).isZero();
            assertThat(metrics(server)).doesNotContain("/v1/chat/completions");
        } finally {
            server.close();
        }
    }

    @Test
    void aModelWithoutAChatTemplateWarmsUpThroughCompletions(@TempDir Path dir) throws Exception {
        // the same model with its chat template taken out: the chat endpoint would refuse the warm-up with 400
        try (var files = Files.list(Golden.model("tiny-qwen3"))) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.remove("chat_template");
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        try (Qwen3Runtime plain = Qwen3Runtime.open(dir)) {
            assertThat(plain.chatTemplate()).isEmpty();
            OpenAiServer server = OpenAiServer.start(ServedModel.start("m", plain, EngineConfig.defaults().withKvBudgetBytes(16L << 20)),
                    ServerConfig.defaults("m").withPort(0));
            try {
                List<String> bodies = HttpWarmup.run(server);
                assertThat(json.readTree(bodies.get(0)).get("object").asText()).isEqualTo("text_completion");
                assertThat(bodies.get(1)).endsWith("data: [DONE]\n\n");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void aPromptLongerThanTheContextIsLeftOut() throws Exception {
        // the warm-up chat's prompt is longer than this engine's context: serve starts without it
        OpenAiServer server = start(EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxModelLen(8), null);
        try {
            assertThat(HttpWarmup.run(server)).isEmpty();
            assertThat(metrics(server)).doesNotContain("/v1/chat/completions");
        } finally {
            server.close();
        }
    }

    @Test
    void aRefusedRequestFailsTheWarmUpWithItsStatus() throws Exception {
        OpenAiServer server = start(EngineConfig.defaults().withKvBudgetBytes(64L << 20), null);
        try {
            server.served().engine().close(); // a closed engine answers generation requests with 503
            assertThatThrownBy(() -> HttpWarmup.run(server)).isInstanceOf(IllegalStateException.class).hasMessageContaining("status 503");
        } finally {
            server.close();
        }
    }

    @Test
    void aWildcardBindAddressIsReachedThroughTheLoopback() throws Exception {
        OpenAiServer server = OpenAiServer.start(ServedModel.start("m", rt, EngineConfig.defaults().withKvBudgetBytes(16L << 20)),
                ServerConfig.defaults("m").withHost("0.0.0.0").withPort(0));
        try {
            assertThat(HttpWarmup.loopbackUrl(server)).isEqualTo("http://127.0.0.1:" + server.port());
            HttpWarmup.run(server);
        } finally {
            server.close();
        }
    }
}
