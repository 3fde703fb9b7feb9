package dev.qwen4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.template.ChatTemplate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat requests to the server's own port, one answered whole and one streamed, before `serve` says it is serving
 * (completion requests for a model without a chat template, whose chat endpoint refuses them).
 *
 * <p>Why: {@link ServingWarmup} runs the engine but not the HTTP side (the JDK server's connection handling, virtual
 * threads, JSON parsing and writing, the endpoint's handler and its stream), whose classes then load and whose code
 * runs interpreted in the first client's request: on Qwen3-0.6B Q4_0 that one took 0.9-1.0 s against 0.65 s for the
 * same request after it.
 */
public final class HttpWarmup {
    private HttpWarmup() {}

    /** Tokens each warm-up request makes the server generate. */
    static final int MAX_TOKENS = 2;
    private static final String PROMPT = "Is the part on the line whole?";

    /**
     * Sends the requests and then starts the server's and the engine's counters over, so /metrics counts clients
     * only; returns the two response bodies (a chat completion, then its stream's events; or text completions), none
     * when the prompt would not fit the engine's context or KV budget (as {@link ServingWarmup} leaves such prompts out).
     * Throws IllegalStateException naming the status and body when a request is not answered with 200.
     */
    public static List<String> run(OpenAiServer server) throws IOException, InterruptedException {
        List<String> bodies = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        ServerConfig config = server.config();
        ServedModel served = server.served();
        ChatTemplate template = served.runtime().chatTemplate().orElse(null);
        boolean chat = template != null;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            for (boolean stream : new boolean[] {false, true}) {
                ObjectNode body = json.createObjectNode().put("model", config.servedModelName()).put("max_tokens", MAX_TOKENS)
                        .put("stream", stream);
                if (chat) body.putArray("messages").addObject().put("role", "user").put("content", PROMPT);
                else body.put("prompt", PROMPT);
                int promptTokens = chat ? ChatPrompt.build(new Fields(body), template, served.runtime().tokenizer(), served.imageInputs()).prompt().ids().length
                        : served.runtime().tokenizer().encode(PROMPT).length;
                if (!ServingWarmup.fits(served.engine(), promptTokens, MAX_TOKENS)) return List.of();
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(loopbackUrl(server) + (chat ? "/v1/chat/completions" : "/v1/completions")))
                        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
                if (config.apiKey() != null) request.header("Authorization", "Bearer " + config.apiKey());
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("the HTTP warm-up request (stream=" + stream + ") got status "
                            + response.statusCode() + ": " + response.body());
                }
                bodies.add(response.body());
            }
        }
        server.resetCounts();
        served.engine().metrics().reset();
        return bodies;
    }

    /** The server's base URL with a wildcard bind address (all interfaces) replaced by the loopback one. */
    static String loopbackUrl(OpenAiServer server) {
        String host = server.config().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) host = "127.0.0.1";
        else if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
        return "http://" + host + ":" + server.port();
    }
}
