package dev.qwen4j.server;

import dev.qwen4j.runtime.EngineMetrics;
import dev.qwen4j.runtime.EngineSnapshot;
import dev.qwen4j.runtime.Histogram;
import dev.qwen4j.runtime.StopReason;
import java.util.Locale;
import java.util.Map;

/** The Prometheus text exposition format (version 0.0.4) of the engine's and the HTTP layer's metrics. */
final class PrometheusText {
    private final StringBuilder out = new StringBuilder();

    static String render(String model, EngineMetrics m, EngineSnapshot s, Map<String, Long> httpRequests) {
        PrometheusText p = new PrometheusText();
        String lbl = "model=\"" + escape(model) + "\"";
        p.header("qwen4j_requests_total", "counter", "Generation requests finished, by reason.");
        for (StopReason r : StopReason.values()) {
            p.sample("qwen4j_requests_total", lbl + ",reason=\"" + r.name().toLowerCase(Locale.ROOT) + "\"", m.finishedRequests(r));
        }
        p.header("qwen4j_requests_rejected_total", "counter", "Requests refused with 429 because the queue was full.");
        p.sample("qwen4j_requests_rejected_total", lbl, m.rejectedRequests());
        p.header("qwen4j_prompt_tokens_total", "counter", "Prompt tokens of finished requests.");
        p.sample("qwen4j_prompt_tokens_total", lbl, m.promptTokens());
        p.header("qwen4j_prompt_tokens_cached_total", "counter", "Prompt tokens served from the prefix cache.");
        p.sample("qwen4j_prompt_tokens_cached_total", lbl, m.cachedPromptTokens());
        p.header("qwen4j_generation_tokens_total", "counter", "Tokens generated.");
        p.sample("qwen4j_generation_tokens_total", lbl, m.generatedTokens());
        p.header("qwen4j_engine_steps_total", "counter", "Forward passes (batched steps) run.");
        p.sample("qwen4j_engine_steps_total", lbl, m.steps());
        p.header("qwen4j_engine_step_tokens_total", "counter", "Tokens run through the model over all steps.");
        p.sample("qwen4j_engine_step_tokens_total", lbl, m.batchedTokens());
        p.header("qwen4j_requests_waiting", "gauge", "Requests waiting for admission (queue depth).");
        p.sample("qwen4j_requests_waiting", lbl, s.waiting());
        p.header("qwen4j_requests_running", "gauge", "Sequences in the running batch.");
        p.sample("qwen4j_requests_running", lbl, s.running());
        p.header("qwen4j_kv_blocks_in_use", "gauge", "KV cache blocks referenced by sequences.");
        p.sample("qwen4j_kv_blocks_in_use", lbl, s.kvBlocksInUse());
        p.header("qwen4j_kv_blocks_total", "gauge", "KV cache budget in blocks.");
        p.sample("qwen4j_kv_blocks_total", lbl, s.kvBlocksTotal());
        p.header("qwen4j_kv_blocks_cached", "gauge", "KV blocks findable by prefix hash.");
        p.sample("qwen4j_kv_blocks_cached", lbl, s.kvBlocksCached());
        p.header("qwen4j_prefix_cache_hit_blocks_total", "counter", "KV blocks reused from the prefix cache.");
        p.sample("qwen4j_prefix_cache_hit_blocks_total", lbl, s.prefixHitBlocks());
        p.header("qwen4j_preemptions_total", "counter", "Sequences sent back to the queue for lack of KV memory.");
        p.sample("qwen4j_preemptions_total", lbl, s.preemptions());
        p.histogram("qwen4j_time_to_first_token_seconds", "Time from request arrival to its first token.", lbl, m.timeToFirstToken());
        p.histogram("qwen4j_time_per_output_token_seconds", "Time between consecutive output tokens of a request.", lbl, m.timePerOutputToken());
        p.histogram("qwen4j_request_duration_seconds", "Time from request arrival to its end.", lbl, m.requestLatency());
        p.header("qwen4j_http_requests_total", "counter", "HTTP requests answered, by path and status.");
        for (Map.Entry<String, Long> e : httpRequests.entrySet()) {
            String[] pathStatus = e.getKey().split(" ", 2);
            p.sample("qwen4j_http_requests_total", "path=\"" + escape(pathStatus[0]) + "\",status=\"" + pathStatus[1] + "\"", e.getValue());
        }
        return p.out.toString();
    }

    private void header(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) out.append('{').append(labels).append('}');
        out.append(' ').append(format(value)).append('\n');
    }

    private void histogram(String name, String help, String labels, Histogram h) {
        header(name, "histogram", help);
        double[] bounds = h.bounds();
        for (int i = 0; i <= bounds.length; i++) {
            String le = i == bounds.length ? "+Inf" : format(bounds[i]);
            sample(name + "_bucket", labels + ",le=\"" + le + "\"", h.cumulativeCount(i));
        }
        sample(name + "_sum", labels, h.sum());
        sample(name + "_count", labels, h.count());
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
