package dev.qwen4j.runtime.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every sentence the compiled grammar admits validates against the schema (checked by an independent
 * validator on random sentences), valid documents are admitted, and invalid ones are not.
 */
class JsonSchemaGrammarTest {

    static final String DEFECT_REPORT = """
            {"type": "object",
             "properties": {
               "part_id": {"type": "string", "minLength": 1, "maxLength": 12},
               "defects": {"type": "array", "maxItems": 3, "items": {"$ref": "#/$defs/defect"}},
               "severity": {"type": "integer", "minimum": 1, "maximum": 5},
               "confidence": {"type": "number", "minimum": 0, "maximum": 1},
               "passed": {"type": "boolean"},
               "note": {"type": ["string", "null"], "maxLength": 20}
             },
             "required": ["part_id", "defects", "passed"],
             "additionalProperties": false,
             "$defs": {
               "defect": {"type": "object",
                          "properties": {"kind": {"enum": ["scratch", "dent", "crack", "stain"]},
                                         "x": {"type": "integer", "minimum": 0, "maximum": 640},
                                         "area": {"type": "number", "minimum": 0}},
                          "required": ["kind"]}
             }}""";

    static Stream<Arguments> schemas() {
        return Stream.of(
                Arguments.of("defect report", DEFECT_REPORT),
                Arguments.of("any value", "{}"),
                Arguments.of("any object", "{\"type\": \"object\"}"),
                Arguments.of("map of integers", "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}}"),
                Arguments.of("bounded array", "{\"type\": \"array\", \"items\": {\"type\": \"number\"}, \"minItems\": 2, \"maxItems\": 4}"),
                Arguments.of("tuple", "{\"type\": \"array\", \"prefixItems\": [{\"type\": \"string\", \"maxLength\": 3}, {\"type\": \"boolean\"}], \"items\": false, \"minItems\": 1}"),
                Arguments.of("anyOf", "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": -20, \"maximum\": 20}, {\"const\": {\"a\": [1, \"x\"]}}, {\"type\": \"null\"}]}"),
                Arguments.of("formats", "{\"type\": \"object\", \"properties\": {\"d\": {\"type\": \"string\", \"format\": \"date\"}, "
                        + "\"t\": {\"type\": \"string\", \"format\": \"date-time\"}, \"u\": {\"type\": \"string\", \"format\": \"uuid\"}}, "
                        + "\"required\": [\"d\", \"t\", \"u\"], \"additionalProperties\": false}"),
                Arguments.of("recursive tree", "{\"$ref\": \"#/$defs/node\", \"$defs\": {\"node\": {\"type\": \"object\", "
                        + "\"properties\": {\"v\": {\"type\": \"integer\", \"exclusiveMinimum\": 0, \"exclusiveMaximum\": 10}, "
                        + "\"kids\": {\"type\": \"array\", \"maxItems\": 2, \"items\": {\"$ref\": \"#/$defs/node\"}}}, \"required\": [\"v\"], \"additionalProperties\": false}}}"),
                Arguments.of("all optional", "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\", \"minimum\": 0}, \"b\": {\"type\": \"string\"}, \"c\": {\"type\": \"null\"}}, \"additionalProperties\": false}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void randomSentencesValidate(String name, String schema) {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse(schema));
        Random random = new Random(name.hashCode());
        int checked = 0;
        for (int i = 0; i < 300 && checked < 60; i++) {
            String text = ByteWalker.walk(grammar, random, 0.3, 4000);
            if (text == null) continue;
            SchemaOracle.parse(text); // must be JSON
            assertThat(SchemaOracle.errors(schema, text)).as("%s", text.replace("\n", "\\n")).isEmpty();
            checked++;
        }
        assertThat(checked).as("random sentences short enough to check").isGreaterThanOrEqualTo(30);
    }

    @Test
    void admitsValidDocumentsCompactAndPretty() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse(DEFECT_REPORT));
        String[] valid = {
            "{\"part_id\":\"A-17\",\"defects\":[],\"passed\":true}",
            "{\"part_id\": \"A-17\", \"defects\": [{\"kind\": \"dent\", \"x\": 640, \"area\": 12.5}], \"severity\": 5, \"confidence\": 1.0, \"passed\": false, \"note\": null}",
            "{\n  \"part_id\": \"é漢😀\",\n  \"defects\": [\n    {\"kind\": \"crack\"},\n    {\"kind\": \"stain\", \"x\": 0}\n  ],\n  \"confidence\": 0.25,\n  \"passed\": false\n}\n",
            " {\"part_id\":\"\\\"q\\\\\\u00e9\",\"defects\":[],\"passed\":true,\"note\":\"ok\"}",
        };
        for (String v : valid) {
            assertThat(SchemaOracle.errors(DEFECT_REPORT, v)).as("oracle on " + v).isEmpty();
            assertThat(ByteWalker.accepts(grammar, v)).as(v).isTrue();
        }
    }

    @Test
    void rejectsInvalidDocuments() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse(DEFECT_REPORT));
        String[] invalid = {
            "{\"defects\":[],\"passed\":true}",                                       // required part_id missing
            "{\"part_id\":\"\",\"defects\":[],\"passed\":true}",                      // minLength 1
            "{\"part_id\":\"abcdefghijklm\",\"defects\":[],\"passed\":true}",         // maxLength 12
            "{\"part_id\":\"a\",\"defects\":[],\"passed\":true,\"extra\":1}",         // additionalProperties false
            "{\"part_id\":\"a\",\"defects\":[{\"kind\":\"bent\"}],\"passed\":true}",  // enum
            "{\"part_id\":\"a\",\"defects\":[],\"severity\":6,\"passed\":true}",      // maximum
            "{\"part_id\":\"a\",\"defects\":[],\"severity\":0,\"passed\":true}",      // minimum
            "{\"part_id\":\"a\",\"defects\":[],\"confidence\":1.5,\"passed\":true}",  // number maximum
            "{\"part_id\":\"a\",\"defects\":[{\"kind\":\"dent\"},{\"kind\":\"dent\"},{\"kind\":\"dent\"},{\"kind\":\"dent\"}],\"passed\":true}", // maxItems
            "{\"part_id\":\"a\",\"defects\":[],\"passed\":\"yes\"}",                  // type
            "{\"part_id\":\"a\",\"defects\":[],\"passed\":true",                      // unfinished
            "{\"part_id\":\"a\u0001\",\"defects\":[],\"passed\":true}",               // control character in a string
        };
        for (String v : invalid) {
            assertThat(ByteWalker.accepts(grammar, v)).as(v).isFalse();
        }
    }

    @Test
    void integerRangesAreExact() {
        Grammar grammar = JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"integer\", \"minimum\": -12, \"maximum\": 105}"));
        for (int v = -30; v <= 130; v++) {
            assertThat(ByteWalker.accepts(grammar, Integer.toString(v))).as("%d", v).isEqualTo(v >= -12 && v <= 105);
        }
        assertThat(ByteWalker.accepts(grammar, "007")).isFalse();
        assertThat(ByteWalker.accepts(grammar, "-0")).isFalse();
    }

    @Test
    void unsupportedKeywordsAreNamedNotIgnored() {
        assertThatThrownBy(() -> JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"object\", \"properties\": {\"code\": {\"type\": \"string\", \"pattern\": \"^[A-Z]+$\"}}}")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("#/properties/code/pattern").hasMessageContaining("'pattern'");
        assertThatThrownBy(() -> JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"numbr\"}")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("unknown type 'numbr'");
        assertThatThrownBy(() -> JsonSchemaGrammar.compile(SchemaOracle.parse("{\"$ref\": \"#/$defs/missing\"}")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("#/$defs/missing");
        assertThatThrownBy(() -> JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"object\", \"properties\": {}, \"required\": [\"a\"]}")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"number\", \"minimum\": 0.5, \"maximum\": 2}")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("whole numbers");
        assertThatThrownBy(() -> JsonSchemaGrammar.compile(SchemaOracle.parse("{\"type\": \"string\", \"format\": \"email\"}")))
                .isInstanceOf(SchemaException.class).hasMessageContaining("format 'email'");
    }
}
