package dev.qwen4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.StopReason;
import dev.qwen4j.runtime.TokenEvent;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ToolCallParser;
import dev.qwen4j.testing.Golden;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Tools go into the prompt through the chat template; tool calls in the answer come back as OpenAI tool_calls. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
    private static final String ANSWER = "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

    private Qwen3Runtime rt;
    private OpenAiServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
        server = OpenAiServer.start(ServedModel.start("tiny-qwen3", rt, EngineConfig.defaults().withKvBudgetBytes(16L << 20)),
                ServerConfig.defaults("tiny-qwen3").withPort(0));
    }

    @AfterAll
    void stop() {
        server.close();
        rt.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void toolsAreRenderedIntoThePromptAndToolTurnsAreAccepted() throws Exception {
        String user = "{\"role\":\"user\",\"content\":\"Weather in Paris?\"}";
        HttpResponse<String> plain = post("{\"messages\":[" + user + "],\"max_tokens\":2}");
        HttpResponse<String> withTools = post("{\"messages\":[" + user + "],\"max_tokens\":2,\"tools\":" + TOOLS + "}");
        HttpResponse<String> none = post("{\"messages\":[" + user + "],\"max_tokens\":2,\"tools\":" + TOOLS + ",\"tool_choice\":\"none\"}");
        assertThat(withTools.statusCode()).as(withTools.body()).isEqualTo(200);
        int plainTokens = JSON.readTree(plain.body()).at("/usage/prompt_tokens").asInt();
        assertThat(JSON.readTree(withTools.body()).at("/usage/prompt_tokens").asInt()).isGreaterThan(plainTokens + 30);
        assertThat(JSON.readTree(none.body()).at("/usage/prompt_tokens").asInt()).isEqualTo(plainTokens);

        String loop = "{\"tools\":" + TOOLS + ",\"max_tokens\":2,\"messages\":[" + user + ","
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 C, sunny\"}]}";
        HttpResponse<String> r = post(loop);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        HttpResponse<String> badTool = post("{\"messages\":[" + user + "],\"tools\":[{\"type\":\"retrieval\"}]}");
        assertThat(badTool.statusCode()).isEqualTo(400);
    }

    /** Bounded arguments (enums), so a forced call from the random model completes within max_tokens. */
    private static final String ENUM_TOOLS = """
            [{"type":"function","function":{"name":"get_weather",
              "parameters":{"type":"object","properties":{"city":{"enum":["Paris","Rome"]}},"required":["city"],"additionalProperties":false}}},
             {"type":"function","function":{"name":"get_time",
              "parameters":{"type":"object","properties":{"zone":{"enum":["UTC","CET"]}},"required":["zone"],"additionalProperties":false}}}]""";

    /** tool_choice "required" or a named function: exactly one call, of a listed (or the named) function, with valid arguments. */
    @Test
    void forcedToolChoiceAlwaysCallsAToolWithValidArguments() throws Exception {
        String user = "{\"role\":\"user\",\"content\":\"What now?\"}";
        for (String choice : new String[] {"\"required\"", "{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}"}) {
            for (String think : new String[] {"true", "false"}) {
                HttpResponse<String> r = post("{\"messages\":[" + user + "],\"max_tokens\":200,\"temperature\":0,\"tools\":" + ENUM_TOOLS
                        + ",\"tool_choice\":" + choice + ",\"chat_template_kwargs\":{\"enable_thinking\":" + think + "}}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode c = JSON.readTree(r.body()).at("/choices/0");
                assertThat(c.get("finish_reason").asText()).as(r.body()).isEqualTo("tool_calls");
                JsonNode call = c.at("/message/tool_calls/0/function");
                String name = call.get("name").asText();
                JsonNode args = JSON.readTree(call.get("arguments").asText());
                if (choice.contains("get_time")) assertThat(name).isEqualTo("get_time");
                if (name.equals("get_time")) assertThat(args.get("zone").asText()).isIn("UTC", "CET");
                else assertThat(args.get("city").asText()).isIn("Paris", "Rome");
                assertThat(args.size()).isEqualTo(1);
            }
        }
        String prefix = "{\"messages\":[" + user + "],\"tools\":" + ENUM_TOOLS + ",";
        for (String bad : new String[] {
                prefix + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}}",
                prefix + "\"tool_choice\":\"sometimes\"}",
                prefix + "\"tool_choice\":\"required\",\"response_format\":{\"type\":\"json_object\"}}",
                "{\"messages\":[" + user + "],\"tool_choice\":\"required\"}"}) {
            HttpResponse<String> r = post(bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).at("/error/param").asText()).as(bad).isEqualTo("tool_choice");
        }
    }

    private static List<TokenEvent> events(String text) {
        List<TokenEvent> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 3) {
            String piece = text.substring(i, Math.min(text.length(), i + 3));
            out.add(new TokenEvent(1, piece, "", piece));
        }
        return out;
    }

    private GenerationEndpoint.Prepared prepared() {
        return new GenerationEndpoint.Prepared(ModelPrompt.text(new int[] {1}), SamplingParams.greedy(), ReasoningMode.SPLIT, new ToolCallParser(), -1);
    }

    @Test
    void toolCallsInTheAnswerBecomeOpenAiToolCalls() throws Exception {
        ChatCompletionsEndpoint endpoint = new ChatCompletionsEndpoint(server.served(), ServerConfig.defaults("tiny-qwen3"));
        SequenceResult result = new SequenceResult(StopReason.EOS, new int[] {1, 2}, ANSWER, 5, 0, 1, 2, null);
        ObjectNode json = endpoint.response("chatcmpl-1", 0, result, events(ANSWER), prepared());
        JsonNode choice = json.at("/choices/0");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.at("/message/content").asText()).isEqualTo("Checking.\n");
        assertThat(choice.at("/message/tool_calls/0/type").asText()).isEqualTo("function");
        assertThat(choice.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(JSON.readTree(choice.at("/message/tool_calls/0/function/arguments").asText()).get("city").asText()).isEqualTo("Paris");
        // The official SDK reads it as a well-formed chat completion.
        ChatCompletion parsed = ObjectMappers.jsonMapper().readValue(json.toString(), ChatCompletion.class);
        parsed.validate();
        assertThat(parsed.choices().get(0).message().toolCalls().orElseThrow()).hasSize(1);

        GenerationEndpoint.Prepared p = prepared();
        List<ObjectNode> chunks = new ArrayList<>();
        for (TokenEvent e : events(ANSWER)) chunks.addAll(endpoint.deltaChunks("chatcmpl-1", 0, e, p));
        chunks.addAll(endpoint.flushChunks("chatcmpl-1", 0, p));
        StringBuilder content = new StringBuilder();
        List<JsonNode> calls = new ArrayList<>();
        for (ObjectNode c : chunks) {
            JsonNode delta = c.at("/choices/0/delta");
            if (delta.has("content")) content.append(delta.get("content").asText());
            if (delta.has("tool_calls")) calls.add(delta.get("tool_calls").get(0));
        }
        assertThat(content.toString()).isEqualTo("Checking.\n");
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).get("index").asInt()).isZero();
        assertThat(calls.get(0).at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(endpoint.finishReason(result, p)).isEqualTo("tool_calls");
    }
}
