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
 * Chat requests over HTTP, one answered whole and one streamed, to a private server on a loopback port that `serve`
 * starts with its own settings and stops again before it binds its real port (completion requests for a model
 * without a chat template, whose chat endpoint refuses them).
 *
 * <p>Why: {@link ServingWarmup} runs the engine but not the HTTP side (the JDK server's connection handling, virtual
 * threads, JSON parsing and writing, the endpoint's handler and its stream), whose classes then load and whose code
 * runs interpreted in the first client's request: on Qwen3-0.6B Q4_0 that one took 0.9-1.0 s against 0.65 s for the
 * same request after it. A private server keeps clients and the warm-up apart: none can fill the queue it needs, and
 * the real server's request counts start at zero.
 */
public final class HttpWarmup {
    private HttpWarmup() {}

    /** Tokens each warm-up request makes the server generate. */
    static final int MAX_TOKENS = 2;
    private static final String PROMPT = "Is the part on the line whole?";

    /** Where the private server listened and what the two requests got back. */
    public record Report(String baseUrl, List<String> bodies, long nanos) {}

    /**
     * Starts a private server for served with config's settings on 127.0.0.1 and a free port, sends the requests, stops
     * it, and starts the engine's counts over ({@link dev.qwen4j.runtime.Engine#resetMetrics}). The report has no
     * bodies when the prompt would not fit the engine's context or KV budget (as {@link ServingWarmup} leaves such
     * prompts out). Throws IllegalStateException naming the status and body when a request is not answered with 200.
     */
    public static Report run(ServedModel served, ServerConfig config) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ObjectMapper json = new ObjectMapper();
        ChatTemplate template = served.runtime().chatTemplate().orElse(null);
        boolean chat = template != null;
        List<String> bodies = new ArrayList<>();
        OpenAiServer server = OpenAiServer.start(served, config.withHost("127.0.0.1").withPort(0));
        try (HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(10)).build()) {
            for (boolean stream : new boolean[] {false, true}) {
                ObjectNode body = json.createObjectNode().put("model", config.servedModelName()).put("max_tokens", MAX_TOKENS)
                        .put("stream", stream);
                if (chat) body.putArray("messages").addObject().put("role", "user").put("content", PROMPT);
                else body.put("prompt", PROMPT);
                int promptTokens = chat ? ChatPrompt.build(new Fields(body), template, served.runtime().tokenizer(), served.imageInputs()).prompt().ids().length
                        : served.runtime().tokenizer().encode(PROMPT).length;
                if (!ServingWarmup.fits(served.engine(), promptTokens, MAX_TOKENS)) break;
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + (chat ? "/v1/chat/completions" : "/v1/completions")))
                        .timeout(config.requestTimeout()).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
                if (config.apiKey() != null) request.header("Authorization", "Bearer " + config.apiKey());
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("the HTTP warm-up request (stream=" + stream + ") got status "
                            + response.statusCode() + ": " + response.body());
                }
                bodies.add(response.body());
            }
        } finally {
            server.stopListening();
        }
        served.engine().resetMetrics();
        return new Report(server.baseUrl(), bodies, System.nanoTime() - t0);
    }
}
