package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.runtime.StopReason;
import dev.qwen4j.runtime.sampling.LogitBias;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ReasoningParser;
import dev.qwen4j.testing.Golden;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP API driven by the official OpenAI Java SDK (and raw HTTP where the exact bytes matter). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiServerTest {
    private static final String MODEL = "tiny-qwen3";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MODEL_LEN = 256;

    private Qwen3Runtime rt;
    private OpenAiServer server;
    private OpenAIClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
        server = startServer(EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxModelLen(MAX_MODEL_LEN), null);
        client = sdk(server, "unused");
    }

    @AfterAll
    void stop() {
        server.close();
        rt.close();
    }

    private OpenAiServer startServer(EngineConfig engine, String apiKey) throws Exception {
        return OpenAiServer.start(ServedModel.start(MODEL, rt, engine),
                ServerConfig.defaults(MODEL).withPort(0).withApiKey(apiKey).withMaxBodyBytes(64 * 1024));
    }

    private static OpenAIClient sdk(OpenAiServer s, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(s.baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
    }

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

    private Reply post(OpenAiServer s, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().startsWith("{") ? JSON.readTree(r.body()) : null;
        return new Reply(r.statusCode(), json, r);
    }

    private static void assertOpenAiError(Reply r, int status, String param, String code) {
        assertThat(r.status()).as(r.raw().body()).isEqualTo(status);
        JsonNode e = r.body().get("error");
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isNotBlank();
        assertThat(e.has("param")).isTrue();
        assertThat(e.has("code")).isTrue();
        if (param != null) assertThat(e.get("param").asText()).isEqualTo(param);
        if (code != null) assertThat(e.get("code").asText()).isEqualTo(code);
    }

    @Test
    void jsonSchemaResponsesValidate() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"part\":{\"type\":\"string\",\"maxLength\":6},"
                + "\"severity\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},\"ok\":{\"type\":\"boolean\"}},"
                + "\"required\":[\"part\",\"severity\",\"ok\"],\"additionalProperties\":false}";
        for (String temperature : new String[] {"0", "1"}) {
            Reply r = post(server, "/v1/chat/completions", "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"Report\"}],"
                    + "\"chat_template_kwargs\":{\"enable_thinking\":false},\"temperature\":" + temperature + ",\"seed\":5,\"max_tokens\":230,"
                    + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"report\",\"schema\":" + schema + "}}}");
            assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
            JsonNode choice = r.body().get("choices").get(0);
            assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
            JsonNode report = JSON.readTree(choice.get("message").get("content").asText());
            assertThat(report.size()).isEqualTo(3);
            assertThat(report.get("part").isTextual() && report.get("part").asText().codePointCount(0, report.get("part").asText().length()) <= 6).isTrue();
            assertThat(report.get("severity").asInt()).isBetween(1, 5);
            assertThat(report.get("ok").isBoolean()).isTrue();
        }
    }

    /** What the single-sequence Generator makes of a one-message chat, split as the server splits it. */
    private ReasoningParser.Delta soloChat(String user, int maxTokens) {
        return split(soloChatResult(user, SamplingParams.greedy().withMaxTokens(maxTokens)).text());
    }

    private GenerationResult soloChatResult(String user, SamplingParams params) {
        try (Generator g = rt.newGenerator()) {
            return g.generate(chatPromptIds(user), params, GenerationListener.NONE);
        }
    }

    private int[] chatPromptIds(String user) {
        String prompt = rt.requireChatTemplate().render(List.of(Map.of("role", "user", "content", user)), null,
                Map.of("add_generation_prompt", true));
        return rt.tokenizer().encode(prompt);
    }

    private static ReasoningParser.Delta split(String text) {
        ReasoningParser p = new ReasoningParser(false);
        ReasoningParser.Delta a = p.push(text), b = p.flush();
        return new ReasoningParser.Delta(a.reasoning() + b.reasoning(), a.content() + b.content());
    }

    private static ChatCompletionCreateParams chat(String user, int maxTokens) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(user).maxCompletionTokens(maxTokens)
                .temperature(0.0).build();
    }

    @Test
    void plainChatAnswersLikeTheGeneratorWithUsage() {
        ChatCompletion c = client.chat().completions().create(chat("Hello there", 10));
        ReasoningParser.Delta expected = soloChat("Hello there", 10);
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content().orElse("")).isEqualTo(expected.content());
        assertThat(c.model()).isEqualTo(MODEL);
        assertThat(c.id()).startsWith("chatcmpl-");
        var usage = c.usage().orElseThrow();
        assertThat(usage.completionTokens()).isBetween(1L, 10L);
        assertThat(usage.promptTokens()).isGreaterThan(3);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
        assertThat(c.choices().get(0).finishReason().asString()).isIn("stop", "length");
    }

    @Test
    void streamedChatMatchesTheWholeAnswerAndEndsWithUsage() {
        ChatCompletionCreateParams p = chat("Tell me a story", 12).toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            s.stream().forEach(ch -> {
                chunks.add(ch);
                ch.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            });
        }
        assertThat(text.toString()).isEqualTo(soloChat("Tell me a story", 12).content());
        assertThat(chunks.size()).isGreaterThan(2);
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isBetween(1L, 12L);
        assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason()).isPresent();
        assertThat(chunks.getFirst().choices().get(0).delta().role()).isPresent();
    }

    @Test
    void thinkingCanBeSwitchedOffThroughChatTemplateKwargs() throws Exception {
        String body = """
                {"model":"tiny-qwen3","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"temperature":0,
                 "chat_template_kwargs":{"enable_thinking":false}}""";
        Reply r = post(server, "/v1/chat/completions", body);
        assertThat(r.status()).isEqualTo(200);
        String noThink = rt.requireChatTemplate().render(List.of(Map.of("role", "user", "content", "Hi")), null,
                Map.of("add_generation_prompt", true, "enable_thinking", false));
        assertThat(r.body().at("/usage/prompt_tokens").asInt()).isEqualTo(rt.tokenizer().encode(noThink).length);
        assertThat(r.body().at("/choices/0/message").has("reasoning_content")).isTrue();
    }

    @Test
    void contentPartsAreAcceptedAndImagesRefusedByATextModel() throws Exception {
        Reply ok = post(server, "/v1/chat/completions", """
                {"model":"tiny-qwen3","max_tokens":2,"messages":[{"role":"user","content":[{"type":"text","text":"Hello there"}]}],"temperature":0}""");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().at("/choices/0/message/content").asText()).isEqualTo(soloChat("Hello there", 2).content());
        Reply img = post(server, "/v1/chat/completions", """
                {"model":"tiny-qwen3","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""");
        assertOpenAiError(img, 400, "messages[0].content[1]", null);
    }

    @Test
    void completionsTakeTextOrTokenPrompts() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(MODEL).prompt("Once upon a time")
                .maxTokens(6).temperature(0.0).build());
        GenerationResult solo;
        try (Generator g = rt.newGenerator()) {
            solo = g.generate(rt.tokenizer().encode("Once upon a time"), SamplingParams.greedy().withMaxTokens(6), GenerationListener.NONE);
        }
        assertThat(c.choices().get(0).text()).isEqualTo(solo.text());
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(solo.tokenIds().length);

        // echo: the prompt's text comes first, whole or streamed, and for token prompts it is their decoding
        Completion echoed = client.completions().create(CompletionCreateParams.builder().model(MODEL).prompt("Once upon a time")
                .maxTokens(6).temperature(0.0).echo(true).build());
        assertThat(echoed.choices().get(0).text()).isEqualTo("Once upon a time" + solo.text());
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions().createStreaming(CompletionCreateParams.builder().model(MODEL)
                .prompt(CompletionCreateParams.Prompt.ofArrayOfTokens(java.util.Arrays.stream(rt.tokenizer().encode("Once upon a time"))
                        .mapToLong(i -> i).boxed().toList()))
                .maxTokens(6).temperature(0.0).echo(true).build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertThat(streamed.toString()).isEqualTo("Once upon a time" + solo.text());
    }

    @Test
    void modelsListsTheServedModel() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly(MODEL);
    }

    /** n choices: seeded ones reproduce the solo Generator with seeds seed, seed + 1, …; usage counts the prompt once. */
    @Test
    void severalChoicesEachMatchTheirSoloGeneration() {
        SamplingParams sampled = SamplingParams.greedy().withTemperature(1.5f).withTopK(0).withTopP(1f).withMaxTokens(5);
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Tell me a story").maxCompletionTokens(5).temperature(1.5).topP(1.0)
                .putAdditionalBodyProperty("top_k", JsonValue.from(0)).seed(42).n(3).build());
        assertThat(c.choices()).hasSize(3);
        long completion = 0;
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            ChatCompletion.Choice choice = c.choices().get(i);
            assertThat(choice.index()).isEqualTo(i);
            GenerationResult solo = soloChatResult("Tell me a story", sampled.withSeed(42 + i));
            assertThat(choice.message().content().orElse("")).as("choice %d", i).isEqualTo(split(solo.text()).content());
            completion += solo.tokenIds().length;
            distinct.add(choice.message().content().orElse(""));
        }
        assertThat(distinct).as("seeds 42, 43, 44 sample differently").hasSizeGreaterThan(1);
        var usage = c.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(completion);
        assertThat(usage.promptTokens()).isEqualTo(chatPromptIds("Tell me a story").length);

        // streamed: each index's deltas add up to that choice's whole answer; one usage chunk at the end
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Tell me a story").maxCompletionTokens(5).temperature(1.5).topP(1.0)
                .putAdditionalBodyProperty("top_k", JsonValue.from(0)).seed(42).n(3)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        for (ChatCompletionChunk chunk : chunks) {
            chunk.choices().forEach(ch -> texts[(int) ch.index()].append(ch.delta().content().orElse("")));
        }
        for (int i = 0; i < 3; i++) assertThat(texts[i].toString()).isEqualTo(c.choices().get(i).message().content().orElse(""));
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isEqualTo(completion);
        assertThat(chunks.stream().filter(ch -> ch.usage().isPresent()).count()).isEqualTo(1);
    }

    /** logit_bias: +100 forces a token, −100 bans one; the answer equals the solo Generator given the same bias. */
    @Test
    void logitBiasForcesAndBansTokens() throws Exception {
        int forced = 1000; // an ordinary BPE token the random model has no reason to prefer
        ChatCompletion c = client.chat().completions().create(chat("Hello there", 3).toBuilder()
                .logitBias(ChatCompletionCreateParams.LogitBias.builder()
                        .putAdditionalProperty(String.valueOf(forced), JsonValue.from(100)).build())
                .build());
        assertThat(c.choices().get(0).message().content().orElse("")).isEqualTo(rt.tokenizer().decode(new int[] {forced, forced, forced}));

        GenerationResult plain = soloChatResult("Hello there", SamplingParams.greedy().withMaxTokens(4));
        int first = plain.tokenIds()[0];
        LogitBias ban = LogitBias.of(Map.of(first, -100f));
        GenerationResult banned = soloChatResult("Hello there", SamplingParams.greedy().withMaxTokens(4).withLogitBias(ban));
        assertThat(banned.tokenIds()[0]).isNotEqualTo(first);
        Reply r = post(server, "/v1/chat/completions", "{\"model\":\"tiny-qwen3\",\"temperature\":0,\"max_tokens\":4,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],\"logit_bias\":{\"" + first + "\":-100}}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        assertThat(r.body().get("choices").get(0).get("message").get("content").asText()).isEqualTo(split(banned.text()).content());

        String chatPrefix = "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logit_bias\":";
        assertOpenAiError(post(server, "/v1/chat/completions", chatPrefix + "{\"abc\":1}}"), 400, "logit_bias", null);
        assertOpenAiError(post(server, "/v1/chat/completions", chatPrefix + "{\"99999999\":1}}"), 400, "logit_bias", null);
        assertOpenAiError(post(server, "/v1/chat/completions", chatPrefix + "{\"5\":101}}"), 400, "logit_bias", null);
        assertOpenAiError(post(server, "/v1/chat/completions", chatPrefix + "[1]}"), 400, "logit_bias", null);
        assertOpenAiError(post(server, "/v1/completions",
                "{\"model\":\"tiny-qwen3\",\"prompt\":\"hi\",\"logit_bias\":{\"-1\":5}}"), 400, "logit_bias", null);
        assertOpenAiError(post(server, "/v1/completions",
                "{\"model\":\"tiny-qwen3\",\"prompt\":\"hi\",\"echo\":true,\"logprobs\":2}"), 400, "echo", "unsupported_parameter");
    }

    @Test
    void badRequestsGetOpenAiErrorsAndTheServerKeepsServing() throws Exception {
        assertOpenAiError(post(server, "/v1/chat/completions", "{\"model\": \"tiny-qwen3\", \"messages\": ["), 400, null, null);
        assertOpenAiError(post(server, "/v1/chat/completions", "[1,2]"), 400, null, null);
        assertOpenAiError(post(server, "/v1/chat/completions", "{\"model\":\"tiny-qwen3\"}"), 400, "messages", null);
        assertOpenAiError(post(server, "/v1/chat/completions",
                "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}"), 400, "temperature", null);
        assertOpenAiError(post(server, "/v1/chat/completions",
                "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":17}"), 400, "n", null);
        assertOpenAiError(post(server, "/v1/chat/completions",
                "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\"}}"),
                400, "response_format.json_schema.schema", null);
        Reply unenforceable = post(server, "/v1/chat/completions",
                "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\","
                        + "\"json_schema\":{\"name\":\"c\",\"schema\":{\"type\":\"string\",\"pattern\":\"^a+$\"}}}}");
        assertOpenAiError(unenforceable, 400, "response_format.json_schema.schema", null);
        assertThat(unenforceable.body().get("error").get("message").asText()).contains("'pattern' is not supported");
        assertOpenAiError(post(server, "/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 404, "model", "model_not_found");
        String longText = "word ".repeat(400);
        assertOpenAiError(post(server, "/v1/chat/completions",
                "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}"), 400, "messages", "context_length_exceeded");
        assertOpenAiError(post(server, "/v1/completions",
                "{\"model\":\"tiny-qwen3\",\"prompt\":\"hi\",\"max_tokens\":" + MAX_MODEL_LEN + "}"), 400, "max_tokens", null);
        assertOpenAiError(post(server, "/v1/completions",
                "{\"model\":\"tiny-qwen3\",\"prompt\":\"" + "a".repeat(70_000) + "\"}"), 413, null, "request_too_large");
        assertOpenAiError(post(server, "/v1/nothing", "{}"), 404, null, null);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);

        // The SDK maps the same answers onto its exception types.
        assertThatThrownBy(() -> client.chat().completions().create(chat("x", 2).toBuilder().n(17).build()))
                .isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> client.chat().completions().create(chat("x", 2).toBuilder().model("nope").build()))
                .isInstanceOf(NotFoundException.class);

        ChatCompletion after = client.chat().completions().create(chat("still there?", 3));
        assertThat(after.choices()).hasSize(1);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void anApiKeyIsRequiredWhenSet() throws Exception {
        OpenAiServer locked = startServer(EngineConfig.defaults().withKvBudgetBytes(16L << 20), "s3cret");
        try {
            assertThatThrownBy(() -> sdk(locked, "wrong").chat().completions().create(chat("hi", 2)))
                    .isInstanceOf(UnauthorizedException.class);
            assertOpenAiError(post(locked, "/v1/models", ""), 401, null, "invalid_api_key");
            assertThat(sdk(locked, "s3cret").chat().completions().create(chat("hi", 2)).choices()).hasSize(1);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(locked.baseUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            locked.close();
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        OpenAiServer busy = startServer(EngineConfig.defaults().withKvBudgetBytes(16L << 20).withMaxWaiting(0), null);
        try {
            Reply r = post(busy, "/v1/completions", "{\"model\":\"tiny-qwen3\",\"prompt\":\"hi\"}");
            assertOpenAiError(r, 429, null, "server_busy");
            assertThat(Integer.parseInt(r.raw().headers().firstValue("Retry-After").orElseThrow())).isPositive();
            assertThatThrownBy(() -> sdk(busy, "x").completions().create(CompletionCreateParams.builder().model(MODEL).prompt("hi").build()))
                    .isInstanceOf(RateLimitException.class);
        } finally {
            busy.close();
        }
    }

    @Test
    void parallelGreedyStreamsEachGetTheirSoloAnswer() throws Exception {
        List<String> prompts = List.of("Hello", "What is the capital of France?", "Write a poem about the sea", "1 2 3 4", "Why?");
        int tokens = 32;
        List<String> expected = new ArrayList<>();
        long soloSteps = 0;
        for (String p : prompts) {
            GenerationResult solo = soloChatResult(p, SamplingParams.greedy().withMaxTokens(tokens).withIgnoreEos(true));
            expected.add(split(solo.text()).content());
            // Alone: the prompt in 256-token chunks, then one step per output token after the first.
            soloSteps += (chatPromptIds(p).length + Generator.PREFILL_CHUNK - 1) / Generator.PREFILL_CHUNK + tokens - 1;
        }
        long stepsBefore = server.served().engine().metrics().steps();
        try (ExecutorService pool = Executors.newFixedThreadPool(prompts.size())) {
            List<Future<String>> futures = new ArrayList<>();
            for (String p : prompts) {
                futures.add(pool.submit((Callable<String>) () -> {
                    StringBuilder b = new StringBuilder();
                    ChatCompletionCreateParams params = chat(p, tokens).toBuilder().putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build();
                    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
                        s.stream().forEach(ch -> ch.choices().forEach(c -> c.delta().content().ifPresent(b::append)));
                    }
                    return b.toString();
                }));
            }
            for (int i = 0; i < prompts.size(); i++) assertThat(futures.get(i).get()).as(prompts.get(i)).isEqualTo(expected.get(i));
        }
        long steps = server.served().engine().metrics().steps() - stepsBefore;
        assertThat(steps).isLessThan(soloSteps);
    }

    @Test
    void aClientThatDisconnectsMidStreamIsCancelledAndItsBlocksFreed() throws Exception {
        // Its own server with the model's full context: the request could run for 20000 tokens, so only a
        // cancellation can end it within the wait below.
        OpenAiServer own = startServer(EngineConfig.defaults().withKvBudgetBytes(64L << 20), null);
        try {
            var engine = own.served().engine();
            String body = "{\"model\":\"tiny-qwen3\",\"prompt\":\"Once\",\"max_tokens\":20000,\"ignore_eos\":true,\"stream\":true}";
            try (Socket socket = new Socket("127.0.0.1", own.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = socket.getInputStream();
                StringBuilder seen = new StringBuilder();
                byte[] buf = new byte[256];
                while (!seen.toString().contains("data: ")) { // a token arrived: the request holds KV blocks
                    int n = in.read(buf);
                    assertThat(n).as("stream ended early: %s", seen).isPositive();
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
                assertThat(seen.toString()).startsWith("HTTP/1.1 200");
                assertThat(engine.snapshot().kvBlocksInUse()).isPositive();
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && engine.metrics().finishedRequests(StopReason.CANCELLED) == 0) Thread.sleep(20);
            assertThat(engine.metrics().finishedRequests(StopReason.CANCELLED)).isEqualTo(1);
            assertThat(engine.metrics().generatedTokens()).isLessThan(20000);
            assertThat(engine.snapshot().kvBlocksInUse()).isZero();
            assertThat(engine.snapshot().running()).isZero();
        } finally {
            own.close();
        }
    }

    @Test
    void aClientThatLeavesBeforeAWholeAnswerIsCancelledAndItsBlocksFreed() throws Exception {
        assumeTrue(PeerClosedProbe.supported(), "no /proc/self/net/tcp here");
        // Non-streaming: nothing is written until the end, so only the socket's state can tell.
        OpenAiServer own = startServer(EngineConfig.defaults().withKvBudgetBytes(64L << 20), null);
        try {
            var engine = own.served().engine();
            String body = "{\"model\":\"tiny-qwen3\",\"prompt\":\"Once\",\"max_tokens\":20000,\"ignore_eos\":true}";
            try (Socket socket = new Socket("127.0.0.1", own.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                long started = System.nanoTime() + 30_000_000_000L;
                while (engine.metrics().generatedTokens() < 8 && System.nanoTime() < started) Thread.sleep(10);
                assertThat(engine.metrics().generatedTokens()).as("tokens generated").isGreaterThanOrEqualTo(8);
                assertThat(engine.snapshot().kvBlocksInUse()).isPositive();
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && engine.metrics().finishedRequests(StopReason.CANCELLED) == 0) Thread.sleep(20);
            assertThat(engine.metrics().finishedRequests(StopReason.CANCELLED)).isEqualTo(1);
            assertThat(engine.metrics().generatedTokens()).isLessThan(20000);
            assertThat(engine.snapshot().kvBlocksInUse()).isZero();
            assertThat(engine.snapshot().running()).isZero();
            // and the server goes on serving
            assertThat(sdk(own, "unused").completions().create(CompletionCreateParams.builder().model("tiny-qwen3")
                    .prompt("Hi").maxTokens(2).build()).choices()).hasSize(1);
        } finally {
            own.close();
        }
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        client.chat().completions().create(chat("metrics please", 3));
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = m.body();
        assertThat(text).contains("# TYPE qwen4j_time_to_first_token_seconds histogram",
                "qwen4j_time_to_first_token_seconds_bucket{model=\"tiny-qwen3\",le=\"+Inf\"}",
                "qwen4j_time_per_output_token_seconds_count", "qwen4j_requests_waiting{model=\"tiny-qwen3\"} 0",
                "qwen4j_requests_running", "qwen4j_kv_blocks_in_use", "qwen4j_prompt_tokens_total", "qwen4j_generation_tokens_total");
        long generated = Long.parseLong(text.lines().filter(l -> l.startsWith("qwen4j_generation_tokens_total{")).findFirst().orElseThrow()
                .replaceAll(".* ", ""));
        assertThat(generated).isPositive();
    }

    @Test
    void closingDrainsInFlightStreamsThenStopsListening() throws Exception {
        OpenAiServer closing = startServer(EngineConfig.defaults().withKvBudgetBytes(16L << 20), null);
        OpenAIClient c = sdk(closing, "x");
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Future<List<ChatCompletionChunk>> stream = pool.submit(() -> {
                List<ChatCompletionChunk> chunks = new ArrayList<>();
                ChatCompletionCreateParams p = chat("go on", 30).toBuilder().putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build();
                try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(p)) {
                    s.stream().forEach(ch -> {
                        chunks.add(ch);
                        started.countDown();
                    });
                }
                return chunks;
            });
            assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            closing.close();
            List<ChatCompletionChunk> chunks = stream.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(chunks.getLast().choices().get(0).finishReason().orElseThrow().asString()).isEqualTo("length");
        }
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(closing.baseUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void requestsSharingASystemPromptReuseItsKvBlocks() {
        String system = "You are a careful assistant who answers questions about geography, history and science. ".repeat(4);
        ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model(MODEL).addSystemMessage(system)
                .addUserMessage("Where is Lyon?").maxCompletionTokens(2).temperature(0.0).build();
        ChatCompletionCreateParams second = first.toBuilder().messages(List.of()).addSystemMessage(system)
                .addUserMessage("When did Rome fall?").build();
        client.chat().completions().create(first);
        var usage = client.chat().completions().create(second).usage().orElseThrow();
        long cached = usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
        // The shared part is the system turn (about 80 tokens): every full 16-token block of it is reused.
        assertThat(cached).isGreaterThanOrEqualTo(64).isLessThan(usage.promptTokens());
        assertThat(cached % 16).isZero();
    }

    @Test
    void logprobsComeBackPerToken() throws Exception {
        ChatCompletion c = client.chat().completions().create(chat("Count to three", 5).toBuilder().logprobs(true).topLogprobs(2).build());
        var content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize((int) c.usage().orElseThrow().completionTokens());
        assertThat(content).allSatisfy(t -> {
            assertThat(t.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(t.topLogprobs()).hasSize(2);
            assertThat(t.topLogprobs().get(0).logprob()).isGreaterThanOrEqualTo(t.topLogprobs().get(1).logprob());
        });

        int streamed = 0;
        ChatCompletionCreateParams p = chat("Count to three", 5).toBuilder().logprobs(true).build();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            for (ChatCompletionChunk ch : s.stream().toList()) {
                for (var choice : ch.choices()) {
                    streamed += choice.logprobs().flatMap(l -> l.content()).map(List::size).orElse(0);
                }
            }
        }
        assertThat(streamed).isEqualTo(content.size()); // greedy: the same tokens, each reported once

        Reply r = post(server, "/v1/completions", "{\"model\":\"tiny-qwen3\",\"prompt\":\"Once\",\"max_tokens\":4,\"temperature\":0,"
                + "\"ignore_eos\":true,\"logprobs\":2}");
        JsonNode lp = r.body().at("/choices/0/logprobs");
        assertThat(lp.get("tokens")).hasSize(4);
        assertThat(lp.get("token_logprobs")).hasSize(4);
        assertThat(lp.get("top_logprobs").get(0).size()).isBetween(1, 2);
        assertThat(lp.get("text_offset").get(0).asInt()).isZero();
        assertOpenAiError(post(server, "/v1/chat/completions",
                "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_logprobs\":2}"), 400, "top_logprobs", null);
    }

    @Test
    void jsonObjectResponseFormatConstrainsTheAnswer() throws Exception {
        Reply r = post(server, "/v1/chat/completions", "{\"model\":\"tiny-qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"A cat as JSON\"}],"
                + "\"max_tokens\":24,\"response_format\":{\"type\":\"json_object\"},\"chat_template_kwargs\":{\"enable_thinking\":false}}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        String content = r.body().at("/choices/0/message/content").asText();
        assertThat(content.strip()).startsWith("{");
        if (r.body().at("/choices/0/finish_reason").asText().equals("stop")) {
            assertThat(JSON.readTree(content).isObject()).isTrue();
        }
    }

    @Test
    void serviceErrorsCarryTheStatus() {
        OpenAIServiceException e = (OpenAIServiceException) org.assertj.core.api.Assertions.catchThrowable(
                () -> client.chat().completions().create(chat("x", 2).toBuilder()
                        .putAdditionalBodyProperty("top_k", JsonValue.from("many")).build()));
        assertThat(e.statusCode()).isEqualTo(400);
    }
}
