package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.testing.Golden;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** `serve`'s HTTP requests to a private loopback server before it binds its own port. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpWarmupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Qwen3Runtime rt;

    @BeforeAll
    void open() {
        rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
    }

    @AfterAll
    void close() {
        rt.close();
    }

    private static ServedModel served(Qwen3Runtime runtime, EngineConfig engine) {
        return ServedModel.start("m", runtime, engine);
    }

    private static boolean listening(String baseUrl) throws Exception {
        URI u = URI.create(baseUrl);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    @Test
    void chatsWholeAndStreamedOnAPrivateLoopbackPortThenStartsTheCountsOver() throws Exception {
        ServedModel served = served(rt, EngineConfig.defaults().withKvBudgetBytes(64L << 20));
        // the configured port is taken and the host is all interfaces: the warm-up binds neither; with an API key it
        // must send it (without, its requests would get 401)
        try (ServerSocket taken = new ServerSocket(0)) {
            ServerConfig config = ServerConfig.defaults("m").withHost("0.0.0.0").withPort(taken.getLocalPort()).withApiKey("secret");
            HttpWarmup.Report r = HttpWarmup.run(served, config);
            assertThat(r.baseUrl()).startsWith("http://127.0.0.1:").doesNotEndWith(":" + taken.getLocalPort());
            assertThat(r.bodies()).hasSize(2);
            JsonNode whole = JSON.readTree(r.bodies().get(0));
            assertThat(whole.get("object").asText()).isEqualTo("chat.completion");
            assertThat(whole.get("usage").get("completion_tokens").asInt()).isEqualTo(HttpWarmup.MAX_TOKENS);
            assertThat(r.bodies().get(1)).contains("\"object\":\"chat.completion.chunk\"").endsWith("data: [DONE]\n\n");
            // the private server is gone, the engine serves on, its counts start over
            assertThat(listening(r.baseUrl())).isFalse();
            assertThat(served.engine().metrics().generatedTokens()).isZero();
            assertThat(served.engine().metrics().promptTokens()).isZero();
            assertThat(served.engine().snapshot().prefixHitBlocks()).isZero();
            OpenAiServer real = OpenAiServer.start(served, ServerConfig.defaults("m").withPort(0));
            try {
                HttpWarmup.Report again = HttpWarmup.run(served, ServerConfig.defaults("m"));
                assertThat(again.bodies()).hasSize(2);
            } finally {
                real.close();
            }
        } finally {
            served.engine().close();
        }
    }

    @Test
    void aModelWithoutAChatTemplateWarmsUpThroughCompletions(@TempDir Path dir) throws Exception {
        // the same model with its chat template taken out: the chat endpoint would refuse the warm-up with 400
        try (var files = Files.list(Golden.model("tiny-qwen3"))) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.remove("chat_template");
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        try (Qwen3Runtime plain = Qwen3Runtime.open(dir)) {
            assertThat(plain.chatTemplate()).isEmpty();
            ServedModel served = served(plain, EngineConfig.defaults().withKvBudgetBytes(16L << 20));
            try {
                List<String> bodies = HttpWarmup.run(served, ServerConfig.defaults("m")).bodies();
                assertThat(JSON.readTree(bodies.get(0)).get("object").asText()).isEqualTo("text_completion");
                assertThat(bodies.get(1)).endsWith("data: [DONE]\n\n");
            } finally {
                served.engine().close();
            }
        }
    }

    @Test
    void aPromptLongerThanTheContextIsLeftOut() throws Exception {
        ServedModel served = served(rt, EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxModelLen(8));
        try {
            assertThat(HttpWarmup.run(served, ServerConfig.defaults("m")).bodies()).isEmpty();
            assertThat(served.engine().metrics().promptTokens()).isZero();
        } finally {
            served.engine().close();
        }
    }

    @Test
    void aRefusedRequestFailsWithItsStatusAndStopsThePrivateServer() throws Exception {
        ServedModel served = served(rt, EngineConfig.defaults().withKvBudgetBytes(64L << 20));
        served.engine().close(); // a closed engine answers generation requests with 503
        assertThatThrownBy(() -> HttpWarmup.run(served, ServerConfig.defaults("m"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("status 503");
    }
}
