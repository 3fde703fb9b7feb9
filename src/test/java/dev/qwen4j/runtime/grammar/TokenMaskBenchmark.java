package dev.qwen4j.runtime.grammar;

import dev.qwen4j.testing.Golden;
import dev.qwen4j.tokenizer.Tokenizer;
import java.util.BitSet;
import java.util.Set;
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
 * Cost of one uncached token mask over the Qwen3 vocabulary, with a cold automaton (a fresh constraint): between JSON tokens (few bytes allowed, the trie
 * walk prunes early) and inside a free string (most tokens allowed: the worst case, paid once per string
 * state thanks to the mask cache). Run like {@code TokenizerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenMaskBenchmark {
    private TokenVocabulary vocabulary;
    private Grammar grammar;
    private Tokenizer tokenizer;

    @Setup
    public void setUp() {
        tokenizer = Tokenizer.fromModelDir(Golden.model("tiny-qwen3"));
        vocabulary = TokenVocabulary.of(tokenizer);
        grammar = JsonSchemaGrammar.compile(SchemaOracle.parse(JsonSchemaGrammarTest.DEFECT_REPORT));
    }

    private TokenConstraint after(String text) {
        TokenConstraint c = new TokenConstraint(grammar, vocabulary, Set.of(151645));
        for (int t : tokenizer.encode(text)) c.accept(t);
        return c;
    }

    @Benchmark
    public BitSet betweenTokens() {
        return after("{\"part_id\": \"A\", ").allowedTokens();
    }

    @Benchmark
    public BitSet insideFreeString() {
        return after("{\"part_id\": \"A\", \"defects\": [], \"passed\": true, \"note\": \"").allowedTokens();
    }
}
