package dev.qwen4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.testing.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `bench-serve` runs the server in-process, drives it over HTTP and prints one row per concurrency level. */
class BenchServeCommandTest {
    @Test
    void printsThroughputAndTtftPerConcurrencyLevel() {
        CliRunner.Result r = CliRunner.cli("bench-serve", "--model", Golden.model("tiny-qwen3").toString(),
                "--concurrency", "1,3", "--requests", "3", "--prompt-tokens", "8", "--max-tokens", "4", "--kv-cache-mib", "16");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> rows = r.out().lines().filter(l -> l.matches("^\\d+\\s+\\d+\\s+.*")).toList();
        assertThat(rows).hasSize(2);
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            assertThat(Integer.parseInt(f[1])).isEqualTo(3);
            assertThat(Double.parseDouble(f[2])).as("output tok/s").isPositive();
            assertThat(Double.parseDouble(f[3])).as("TTFT p50").isPositive();
            assertThat(Double.parseDouble(f[4])).as("TTFT p99").isGreaterThanOrEqualTo(Double.parseDouble(f[3]));
            assertThat(Double.parseDouble(f[5])).as("ITL p50").isPositive();
        }
        assertThat(rows.get(0)).startsWith("1 ");
        assertThat(rows.get(1)).startsWith("3 ");
        assertThat(r.err()).as("the warm-up `serve` runs before it listens").contains("warmed up: text").contains("warmed up over HTTP");
    }

    @Test
    void noWarmupSkipsTheServeWarmup() {
        CliRunner.Result r = CliRunner.cli("bench-serve", "--model", Golden.model("tiny-qwen3").toString(), "--no-warmup",
                "--concurrency", "1", "--requests", "1", "--prompt-tokens", "8", "--max-tokens", "2", "--kv-cache-mib", "16");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("warmed up");
        assertThat(r.out().lines().filter(l -> l.matches("^1\\s+1\\s+.*"))).hasSize(1);
    }

    @Test
    void aKvBudgetLargerThanTheHeapIsAUsageErrorBeforeServing() {
        long mib = 4 * (Runtime.getRuntime().maxMemory() >> 20) + 1024;
        CliRunner.Result r = CliRunner.cli("bench-serve", "--model", Golden.model("tiny-qwen3").toString(),
                "--concurrency", "1", "--requests", "1", "--prompt-tokens", "8", "--max-tokens", "2", "--kv-cache-mib", Long.toString(mib));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("KV cache budget needs").contains("--kv-cache-mib");
        assertThat(r.out()).doesNotContain("concurrency  ");
    }

    @Test
    void withoutAnExplicitBudgetTheKvCacheIsCappedAtHalfTheSpareHeap() {
        EngineOptions o = new EngineOptions();
        Runtime rt = Runtime.getRuntime();
        long spareMib = (rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) >> 20;
        assertThat(o.kvCacheMib()).isBetween(16L, Math.max(16L, Math.min(EngineOptions.DEFAULT_KV_CACHE_MIB, spareMib / 2 + 64)));
        o.kvCacheMib = 3L;
        assertThat(o.kvCacheMib()).as("an explicit budget is taken as given").isEqualTo(3L);
    }

    @Test
    void aBf16KvCacheServesAndAnUnknownKvDtypeIsAUsageError() {
        CliRunner.Result r = CliRunner.cli("bench-serve", "--model", Golden.model("tiny-qwen3").toString(),
                "--concurrency", "2", "--requests", "2", "--prompt-tokens", "8", "--max-tokens", "4", "--kv-cache-mib", "16",
                "--kv-cache-dtype", "bf16");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.matches("^2\\s+2\\s+.*"))).hasSize(1);
        CliRunner.Result bad = CliRunner.cli("bench-serve", "--model", Golden.model("tiny-qwen3").toString(), "--kv-cache-dtype", "q8_0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("'q8_0' is not a KV cache dtype (supported: f32, bf16)");
    }

    @Test
    void benchMeasuresDecodeAtADepthWithABf16Cache() {
        CliRunner.Result r = CliRunner.cli("bench", "--model", Golden.model("tiny-qwen3").toString(), "--no-probe",
                "-p", "16", "-n", "4", "-r", "1", "--depth", "40", "--kv-cache-dtype", "bf16");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("KV cache: bf16, 40 tokens of context before each test").contains("pp16").contains("tg4");
    }
}
