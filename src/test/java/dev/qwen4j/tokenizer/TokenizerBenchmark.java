package dev.qwen4j.tokenizer;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput: loading the Qwen3 vocabulary, encoding a ~10k-token mixed document, decoding it.
 * Run with {@code ./mvnw -q -o test-compile} and then
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) org.openjdk.jmh.Main TokenizerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenizerBenchmark {
    private Tokenizer tokenizer;
    private String document;
    private int[] ids;

    @Setup
    public void setUp() {
        tokenizer = Fixtures.qwen3();
        document = LargeInputTest.mixedDocument(tokenizer, 10_000);
        ids = tokenizer.encode(document);
    }

    @Benchmark
    public Tokenizer load() {
        return Tokenizer.fromModelDir(Fixtures.modelDir());
    }

    @Benchmark
    public int[] encodeTenThousandTokens() {
        return tokenizer.encode(document);
    }

    @Benchmark
    public String decodeTenThousandTokens() {
        return tokenizer.decode(ids);
    }
}
