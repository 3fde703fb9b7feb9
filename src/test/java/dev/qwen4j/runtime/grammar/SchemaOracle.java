package dev.qwen4j.runtime.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/** An independent JSON Schema 2020-12 validator (networknt), with format assertions on. */
final class SchemaOracle {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(com.networknt.schema.SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private SchemaOracle() {}

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** The validation errors of {@code document} (which must be JSON) against {@code schema}. */
    static List<Error> errors(String schema, String document) {
        Schema s = REGISTRY.getSchema(schema, InputFormat.JSON);
        return s.validate(document, InputFormat.JSON);
    }
}
