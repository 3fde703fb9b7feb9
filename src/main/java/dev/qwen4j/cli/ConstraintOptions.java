package dev.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.grammar.JsonSchemaGrammar;
import dev.qwen4j.runtime.grammar.SchemaException;
import dev.qwen4j.runtime.grammar.TokenConstraint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --json-schema / --json-object: constrain the answer to JSON (after the reasoning, for thinking prompts). */
public final class ConstraintOptions {
    @Option(names = "--json-schema", paramLabel = "FILE", description = "Constrain the answer to JSON valid against this JSON schema.")
    Path schema;

    @Option(names = "--json-object", description = "Constrain the answer to a JSON object.")
    boolean jsonObject;

    /**
     * The constraint for one generation, or null when none was asked for: after the reasoning when the prompt
     * opens it, after the reasoning if the model opens it when it may think, else from the first token.
     */
    public TokenConstraint constraint(Qwen3Runtime rt, PromptOptions prompt) {
        Grammar grammar = grammar();
        if (grammar == null) return null;
        if (prompt.promptOpensThinking(rt)) return rt.newConstraint(grammar, true);
        return prompt.modelMayThink(rt) ? rt.newConstraintAfterOptionalThinking(grammar) : rt.newConstraint(grammar, false);
    }

    Grammar grammar() {
        if (schema != null && jsonObject) throw new UsageError("give --json-schema or --json-object, not both");
        if (jsonObject) return JsonSchemaGrammar.anyObject();
        if (schema == null) return null;
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(Files.readString(schema));
        } catch (IOException e) {
            throw new UsageError("--json-schema " + schema + ": " + e.getMessage());
        }
        try {
            return JsonSchemaGrammar.compile(node);
        } catch (SchemaException e) {
            throw new UsageError("--json-schema " + schema + ": " + e.getMessage());
        }
    }
}
