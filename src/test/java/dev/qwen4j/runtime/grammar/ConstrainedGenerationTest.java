package dev.qwen4j.runtime.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.api.FinishReason;
import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.testing.Golden;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token-level constraint with the real Qwen3 vocabulary, alone and inside generation with the tiny model. */
class ConstrainedGenerationTest {
    /** Everything bounded, so even a random-weight model must finish within a few hundred tokens. */
    static final String BOUNDED_REPORT = """
            {"type": "object",
             "properties": {
               "part_id": {"type": "string", "minLength": 1, "maxLength": 8},
               "defects": {"type": "array", "maxItems": 2,
                           "items": {"type": "object", "properties": {"kind": {"enum": ["scratch", "dent"]},
                                                                       "x": {"type": "integer", "minimum": 0, "maximum": 640}},
                                     "required": ["kind", "x"], "additionalProperties": false}},
               "severity": {"type": "integer", "minimum": 1, "maximum": 5},
               "passed": {"type": "boolean"}
             },
             "required": ["part_id", "defects", "severity", "passed"],
             "additionalProperties": false}""";

    static Qwen3Runtime runtime;

    @BeforeAll
    static void open() {
        runtime = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
    }

    @AfterAll
    static void close() {
        runtime.close();
    }

    @Test
    void randomTokenWalksGiveValidJsonAndEndOnlyWhenComplete() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse(BOUNDED_REPORT));
        TokenVocabulary vocabulary = TokenVocabulary.of(runtime.tokenizer());
        Set<Integer> eos = runtime.eosTokenIds();
        Random random = new Random(11);
        for (int walk = 0; walk < 20; walk++) {
            TokenConstraint c = new TokenConstraint(grammar, vocabulary, eos);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            int steps = 0;
            while (true) {
                BitSet allowed = c.allowedTokens();
                assertThat(allowed.isEmpty()).as("no token allowed after %s", text).isFalse();
                for (int e : eos) assertThat(allowed.get(e)).isEqualTo(c.isComplete());
                // No special or added token is ever allowed besides EOS.
                runtime.tokenizer().addedTokens().forEach(t -> assertThat(allowed.get(t.id()) && !eos.contains(t.id())).isFalse());
                int token = pick(allowed, random, eos, text.size() > 300);
                if (eos.contains(token)) break;
                c.accept(token);
                text.writeBytes(runtime.tokenizer().tokenBytes(token));
                assertThat(++steps).as("walk length").isLessThan(5000);
            }
            String json = text.toString(StandardCharsets.UTF_8);
            assertThat(SchemaOracle.errors(BOUNDED_REPORT, json)).as(json).isEmpty();
        }
    }

    /** A random allowed token; EOS as soon as it is allowed once the text is long, to keep walks short. */
    private static int pick(BitSet allowed, Random random, Set<Integer> eos, boolean preferEnd) {
        for (int e : eos) if (allowed.get(e) && (preferEnd || random.nextInt(4) == 0)) return e;
        int n = random.nextInt(allowed.cardinality());
        int id = allowed.nextSetBit(0);
        for (int i = 0; i < n; i++) id = allowed.nextSetBit(id + 1);
        return id;
    }

    @Test
    void acceptRejectsTokensOutsideTheGrammar() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"boolean\"}"));
        TokenConstraint c = new TokenConstraint(grammar, TokenVocabulary.of(runtime.tokenizer()), runtime.eosTokenIds());
        int hello = runtime.tokenizer().encode("hello")[0];
        assertThatThrownBy(() -> c.accept(hello)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.accept(151645)).hasMessageContaining("before the output is complete");
        for (int t : runtime.tokenizer().encode("true")) c.accept(t);
        assertThat(c.isComplete()).isTrue();
    }

    @Test
    void greedyAndSampledGenerationsValidateAndStop() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse(BOUNDED_REPORT));
        int[] prompt = runtime.tokenizer().encode("Inspect the part and report defects as JSON:");
        try (Generator g = runtime.newGenerator()) {
            for (SamplingParams params : new SamplingParams[] {
                    SamplingParams.greedy().withMaxTokens(2000),
                    SamplingParams.greedy().withTemperature(1.0f).withSeed(3).withMaxTokens(2000),
                    SamplingParams.greedy().withTemperature(0.7f).withTopP(0.9f).withSeed(4).withMaxTokens(2000)}) {
                g.reset();
                GenerationResult r = g.generate(prompt, params, runtime.newConstraint(grammar, false), GenerationListener.NONE);
                assertThat(r.finishReason()).as(r.text()).isEqualTo(FinishReason.STOP);
                assertThat(SchemaOracle.errors(BOUNDED_REPORT, r.text())).as(r.text()).isEmpty();
            }
        }
    }

    @Test
    void thinkingIsFreeAndTheAnswerAfterItIsConstrained() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse("{\"enum\": [\"yes\", \"no\"]}"));
        TokenConstraint c = runtime.newConstraint(grammar, true);
        int endThink = runtime.tokenizer().id("</think>").getAsInt();
        float[] logits = new float[runtime.model().vocabSize()];
        c.mask(logits);
        assertThat(logits).containsOnly(0f); // thinking: nothing masked
        int hello = runtime.tokenizer().encode("hello")[0];
        c.accept(hello);
        c.accept(endThink);
        c.mask(logits);
        assertThat(logits[hello]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(logits[runtime.tokenizer().encode("\"")[0]]).isZero();
    }

    /** A model that may think: opening <think> frees it until </think>; answering at once is constrained at once. */
    @Test
    void thinkingIsOptionalWhenTheModelMayChoose() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse("{\"enum\": [\"yes\", \"no\"]}"));
        int think = runtime.tokenizer().id("<think>").getAsInt(), endThink = runtime.tokenizer().id("</think>").getAsInt();
        int hello = runtime.tokenizer().encode("hello")[0], quote = runtime.tokenizer().encode("\"")[0];
        float[] logits = new float[runtime.model().vocabSize()];

        TokenConstraint opens = new TokenConstraint(grammar, TokenVocabulary.of(runtime.tokenizer()), runtime.eosTokenIds())
                .startAfterIfOpened(think, endThink);
        opens.mask(logits);
        assertThat(logits[think]).isZero(); // <think> or the answer's first token
        assertThat(logits[quote]).isZero();
        assertThat(logits[hello]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(opens.allows(think)).isTrue();
        assertThat(opens.allows(hello)).isFalse();
        opens.accept(think);
        assertThat(opens.isActive()).isFalse();
        opens.accept(hello); // reasoning is free
        opens.accept(endThink);
        assertThat(opens.allows(hello)).isFalse();
        assertThat(opens.allows(quote)).isTrue();

        TokenConstraint answers = new TokenConstraint(grammar, TokenVocabulary.of(runtime.tokenizer()), runtime.eosTokenIds())
                .startAfterIfOpened(think, endThink);
        answers.accept(quote);
        assertThat(answers.allows(think)).as("<think> only as the first token").isFalse();
        java.util.Arrays.fill(logits, 0f);
        answers.mask(logits);
        assertThat(logits[think]).isEqualTo(Float.NEGATIVE_INFINITY);
        for (int t : runtime.tokenizer().encode("yes\"")) answers.accept(t);
        assertThat(answers.isComplete()).isTrue();
    }
}
