package dev.qwen4j.runtime.grammar;

import static dev.qwen4j.runtime.grammar.GrammarBuilder.EMPTY;
import static dev.qwen4j.runtime.grammar.GrammarBuilder.seq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a JSON schema into a grammar whose sentences are exactly JSON texts (with bounded whitespace) that
 * validate against it, for the keywords it supports: {@code type} (one or a list), {@code enum}, {@code const},
 * {@code anyOf}/{@code oneOf}, a one-element {@code allOf}, {@code $ref} into {@code $defs}/{@code definitions}
 * (recursion allowed), objects ({@code properties}, {@code required}, {@code additionalProperties}), arrays
 * ({@code items}, {@code prefixItems}, {@code minItems}, {@code maxItems}), strings ({@code minLength},
 * {@code maxLength}, {@code format} date, time, date-time, uuid), integers with bounds, and numbers bounded by
 * whole numbers ≥ 0 (e.g. a probability in [0, 1]).
 *
 * <p>A keyword that would constrain the output but is not supported ({@code pattern}, {@code multipleOf}, …)
 * is an error naming it, never silently ignored: the promise is output that always validates.
 *
 * <p>Objects list their properties in schema order; optional ones may be left out. Properties not declared
 * are produced only when {@code additionalProperties} allows them and no properties are declared.
 */
public final class JsonSchemaGrammar {
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema", "$id",
            "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "contentMediaType", "contentEncoding");
    /** Largest integer range spelled out as a digit trie. */
    private static final int MAX_ENUMERATED_INTEGERS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GrammarBuilder g = new GrammarBuilder();
    private final JsonGrammars json = new JsonGrammars(g);
    private final JsonNode root;
    private final Map<String, int[]> refRules = new HashMap<>();

    private JsonSchemaGrammar(JsonNode root) {
        this.root = root;
    }

    /** The grammar of JSON texts valid under {@code schema}, surrounded by optional whitespace. */
    public static Grammar compile(JsonNode schema) {
        JsonSchemaGrammar c = new JsonSchemaGrammar(schema);
        int[] value = c.value(schema, "");
        return c.g.build(seq(c.json.ws(), value, c.json.ws()));
    }

    /**
     * The exact text {@code before}, a JSON text valid under {@code schema}, then {@code after}: a JSON value
     * inside fixed markup, such as a Qwen tool call {@code <tool_call>\n{...}\n</tool_call>}.
     */
    public static Grammar compileFramed(String before, JsonNode schema, String after) {
        JsonSchemaGrammar c = new JsonSchemaGrammar(schema);
        int[] value = c.value(schema, "");
        return c.g.build(seq(c.g.literal(before), value, c.g.literal(after)));
    }

    /** Any JSON object ({@code response_format: json_object}). */
    public static Grammar anyObject() {
        return compile(JSON.createObjectNode().put("type", "object"));
    }

    private int[] value(JsonNode s, String path) {
        if (s == null || s.isMissingNode()) return json.anyValue();
        if (s.isBoolean()) {
            if (s.booleanValue()) return json.anyValue();
            throw new SchemaException(path, "the schema false admits no value");
        }
        if (!s.isObject()) throw new SchemaException(path, "a schema must be an object or a boolean, got " + s.getNodeType());
        if (s.has("$ref")) return ref(s, path);
        if (s.has("const")) return literal(s.get("const"));
        if (s.has("enum")) {
            JsonNode values = s.get("enum");
            if (!values.isArray() || values.isEmpty()) throw new SchemaException(path + "/enum", "enum must be a non-empty array");
            List<int[]> options = new ArrayList<>();
            values.forEach(v -> options.add(literal(v)));
            return g.alt(options.toArray(new int[0][]));
        }
        for (String key : new String[] {"anyOf", "oneOf"}) {
            if (s.has(key)) {
                JsonNode branches = s.get(key);
                if (!branches.isArray() || branches.isEmpty()) throw new SchemaException(path + "/" + key, key + " must be a non-empty array");
                List<int[]> options = new ArrayList<>();
                for (int i = 0; i < branches.size(); i++) options.add(value(merge(s, key, branches.get(i)), path + "/" + key + "/" + i));
                return g.alt(options.toArray(new int[0][]));
            }
        }
        if (s.has("allOf")) {
            JsonNode all = s.get("allOf");
            if (!all.isArray() || all.size() != 1) throw new SchemaException(path + "/allOf", "only an allOf with one schema is supported");
            return value(merge(s, "allOf", all.get(0)), path + "/allOf/0");
        }
        rejectUnsupported(s, path);
        JsonNode type = s.get("type");
        if (type == null) {
            if (s.has("properties") || s.has("additionalProperties") || s.has("required")) return object(s, path);
            if (s.has("items") || s.has("prefixItems")) return array(s, path);
            return json.anyValue();
        }
        if (type.isArray()) {
            List<int[]> options = new ArrayList<>();
            for (JsonNode t : type) options.add(typed(s, t.asText(), path));
            if (options.isEmpty()) throw new SchemaException(path + "/type", "type must not be an empty list");
            return g.alt(options.toArray(new int[0][]));
        }
        return typed(s, type.asText(), path);
    }

    /** The keywords beside a combinator apply to every branch. */
    private static JsonNode merge(JsonNode parent, String combinator, JsonNode branch) {
        if (!branch.isObject()) return branch;
        var merged = parent.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) merged).remove(combinator);
        var out = ((com.fasterxml.jackson.databind.node.ObjectNode) merged);
        branch.properties().forEach(e -> out.set(e.getKey(), e.getValue()));
        return out;
    }

    private int[] typed(JsonNode s, String type, String path) {
        return switch (type) {
            case "object" -> object(s, path);
            case "array" -> array(s, path);
            case "string" -> string(s, path);
            case "integer" -> integer(s, path);
            case "number" -> number(s, path);
            case "boolean" -> g.alt(g.literal("true"), g.literal("false"));
            case "null" -> g.literal("null");
            default -> throw new SchemaException(path + "/type", "unknown type '" + type + "'");
        };
    }

    private int[] ref(JsonNode s, String path) {
        String ref = s.get("$ref").asText();
        int[] known = refRules.get(ref);
        if (known != null) return known;
        JsonNode target = resolve(ref, path);
        int rule = g.declare();
        int[] pattern = {Grammar.ref(rule)};
        refRules.put(ref, pattern);
        g.define(rule, value(target, ref));
        return pattern;
    }

    private JsonNode resolve(String ref, String path) {
        if (!ref.startsWith("#")) throw new SchemaException(path + "/$ref", "only local references (#/...) are supported, got " + ref);
        JsonNode target = ref.equals("#") ? root : root.at(ref.substring(1));
        if (target.isMissingNode()) throw new SchemaException(path + "/$ref", "reference " + ref + " points at nothing");
        return target;
    }

    private void rejectUnsupported(JsonNode s, String path) {
        for (String key : new String[] {"pattern", "patternProperties", "multipleOf", "uniqueItems", "not", "if", "then", "else",
                "contains", "minContains", "maxContains", "minProperties", "maxProperties", "dependentRequired",
                "dependentSchemas", "propertyNames", "unevaluatedProperties", "unevaluatedItems"}) {
            if (s.has(key)) throw new SchemaException(path + "/" + key, "'" + key + "' is not supported in constrained decoding");
        }
    }

    private int[] literal(JsonNode value) {
        try {
            return g.literal(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- objects -------------------------------------------------------------------------------------------

    private int[] object(JsonNode s, String path) {
        JsonNode properties = s.path("properties");
        Set<String> required = new LinkedHashSet<>();
        s.path("required").forEach(r -> required.add(r.asText()));
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        for (String r : required) {
            if (!properties.has(r)) throw new SchemaException(path + "/required", "required property '" + r + "' is not declared in properties");
        }
        JsonNode additional = s.get("additionalProperties");
        int[] open = json.ws();
        int[] close = seq(json.ws(), g.literal("}"));
        if (names.isEmpty()) {
            boolean allowed = additional == null || !(additional.isBoolean() && !additional.booleanValue());
            if (!allowed) return seq(g.literal("{"), close);
            int[] member = seq(json.string(0, -1), json.ws(), g.literal(":"), json.ws(),
                    value(additional == null || additional.isBoolean() ? null : additional, path + "/additionalProperties"));
            int[] comma = seq(json.ws(), g.literal(","), json.ws());
            return seq(g.literal("{"), open, g.opt(seq(member, g.star(seq(comma, member)))), close);
        }
        // From the last property back: "first" = the properties from i on when none was written yet (no
        // leading comma), "later" = the same after one was written. Optional ones may be skipped.
        int[] nextFirst = EMPTY, nextLater = EMPTY;
        for (int i = names.size() - 1; i >= 0; i--) {
            String name = names.get(i);
            int[] kv = seq(literal(JSON.getNodeFactory().textNode(name)), json.ws(), g.literal(":"), json.ws(),
                    value(properties.get(name), path + "/properties/" + name));
            int[] withComma = seq(json.ws(), g.literal(","), json.ws(), kv);
            int[] first = seq(kv, nextLater);
            int[] later = seq(withComma, nextLater);
            if (!required.contains(name)) {
                first = g.alt(first, nextFirst);
                later = g.alt(later, nextLater);
            }
            nextFirst = first;
            nextLater = later;
        }
        return seq(g.literal("{"), open, nextFirst, close);
    }

    // ---- arrays --------------------------------------------------------------------------------------------

    private int[] array(JsonNode s, String path) {
        int min = nonNegative(s, "minItems", 0, path);
        int max = s.has("maxItems") ? nonNegative(s, "maxItems", 0, path) : -1;
        if (max >= 0 && max < min) throw new SchemaException(path, "maxItems " + max + " < minItems " + min);
        List<int[]> prefix = new ArrayList<>();
        if (s.has("prefixItems")) {
            JsonNode p = s.get("prefixItems");
            for (int i = 0; i < p.size(); i++) prefix.add(value(p.get(i), path + "/prefixItems/" + i));
        }
        JsonNode itemsNode = s.get("items");
        if (itemsNode != null && itemsNode.isArray()) throw new SchemaException(path + "/items", "items as an array (draft 4-7 tuples) is not supported; use prefixItems");
        boolean noMore = itemsNode != null && itemsNode.isBoolean() && !itemsNode.booleanValue();
        int[] item = noMore ? null : value(itemsNode, path + "/items");
        int[] comma = seq(json.ws(), g.literal(","), json.ws());
        // Element k (0-based) is prefix.get(k) while k < prefix size, else item. Build from the back:
        // tail(k) = the elements from k on, each after a comma.
        int limit = max < 0 ? Integer.MAX_VALUE : max;
        if (noMore) limit = Math.min(limit, prefix.size());
        if (min > limit) throw new SchemaException(path, "minItems " + min + " cannot be met with the items allowed");
        int[] unboundedTail = limit == Integer.MAX_VALUE ? g.star(seq(comma, item)) : null;
        int start = Math.max(prefix.size(), min);
        int[] tail;
        if (limit == Integer.MAX_VALUE) {
            tail = unboundedTail;
        } else {
            tail = EMPTY;
            for (int k = limit - 1; k >= Math.max(start, 1); k--) tail = g.opt(seq(comma, elementAt(k, prefix, item), tail));
        }
        // Elements [1, start) are mandatory when k < min, optional (each ending the array) otherwise.
        for (int k = start - 1; k >= 1; k--) {
            int[] step = seq(comma, elementAt(k, prefix, item), tail);
            tail = k < min ? step : g.opt(step);
        }
        int[] body;
        if (limit == 0) body = EMPTY;
        else {
            int[] all = seq(elementAt(0, prefix, item), tail);
            body = min > 0 ? all : g.opt(all);
        }
        return seq(g.literal("["), json.ws(), body, json.ws(), g.literal("]"));
    }

    private static int[] elementAt(int k, List<int[]> prefix, int[] item) {
        return k < prefix.size() ? prefix.get(k) : item;
    }

    // ---- scalars -------------------------------------------------------------------------------------------

    private int[] string(JsonNode s, String path) {
        int min = nonNegative(s, "minLength", 0, path);
        int max = s.has("maxLength") ? nonNegative(s, "maxLength", 0, path) : -1;
        if (max >= 0 && max < min) throw new SchemaException(path, "maxLength " + max + " < minLength " + min);
        if (s.has("format")) {
            String format = s.get("format").asText();
            int[] body = switch (format) {
                case "date" -> date();
                case "time" -> time();
                case "date-time" -> seq(date(), g.literal("T"), time());
                case "uuid" -> uuid();
                default -> throw new SchemaException(path + "/format", "format '" + format + "' is not supported in constrained decoding");
            };
            if (s.has("minLength") || s.has("maxLength")) throw new SchemaException(path, "format together with minLength/maxLength is not supported");
            return seq(g.literal("\""), body, g.literal("\""));
        }
        return json.string(min, max);
    }

    /** A calendar date; February stops at 28 because a grammar cannot tell leap years (never an invalid date). */
    private int[] date() {
        int[] d = json.digit();
        int[] upTo28 = g.alt(seq(g.literal("0"), g.bytes('1', '9')), seq(g.literal("1"), d), seq(g.literal("2"), g.bytes('0', '8')));
        int[] upTo30 = g.alt(upTo28, g.literal("29"), g.literal("30"));
        int[] upTo31 = g.alt(upTo30, g.literal("31"));
        int[] monthAndDay = g.alt(
                seq(g.alt(g.literal("01"), g.literal("03"), g.literal("05"), g.literal("07"), g.literal("08"), g.literal("10"), g.literal("12")), g.literal("-"), upTo31),
                seq(g.alt(g.literal("04"), g.literal("06"), g.literal("09"), g.literal("11")), g.literal("-"), upTo30),
                seq(g.literal("02-"), upTo28));
        return seq(d, d, d, d, g.literal("-"), monthAndDay);
    }

    private int[] time() {
        int[] d = json.digit();
        int[] hour = g.alt(seq(g.bytes('0', '1'), d), seq(g.literal("2"), g.bytes('0', '3')));
        int[] sixty = seq(g.bytes('0', '5'), d);
        // Real UTC offsets lie within ±14:00 (java.time, which validators use, stops at ±18:00).
        int[] offsetHour = g.alt(seq(g.literal("0"), d), seq(g.literal("1"), g.bytes('0', '4')));
        int[] offset = g.alt(g.literal("Z"), seq(g.bytes('+', '+', '-', '-'), offsetHour, g.literal(":"), sixty));
        return seq(hour, g.literal(":"), sixty, g.literal(":"), sixty, g.opt(seq(g.literal("."), g.repeat(d, 1, 9))), offset);
    }

    private int[] uuid() {
        int[] h = json.hexDigit();
        return seq(g.repeat(h, 8, 8), g.literal("-"), g.repeat(h, 4, 4), g.literal("-"), g.repeat(h, 4, 4), g.literal("-"),
                g.repeat(h, 4, 4), g.literal("-"), g.repeat(h, 12, 12));
    }

    private int[] integer(JsonNode s, String path) {
        BigDecimal lo = bound(s, "minimum", "exclusiveMinimum", true, true, path);
        BigDecimal hi = bound(s, "maximum", "exclusiveMaximum", false, true, path);
        if (lo == null && hi == null) return json.integer();
        BigInteger min = lo == null ? null : lo.setScale(0, java.math.RoundingMode.CEILING).toBigIntegerExact();
        BigInteger max = hi == null ? null : hi.setScale(0, java.math.RoundingMode.FLOOR).toBigIntegerExact();
        if (min != null && max != null) {
            if (min.compareTo(max) > 0) throw new SchemaException(path, "no integer lies between minimum and maximum");
            if (max.subtract(min).compareTo(BigInteger.valueOf(MAX_ENUMERATED_INTEGERS)) < 0) return integerRange(min.longValueExact(), max.longValueExact());
        }
        if (max == null && min.signum() >= 0 && min.compareTo(BigInteger.ONE) <= 0) {
            return min.signum() == 0 ? json.naturalNumber() : seq(g.bytes('1', '9'), g.repeat(json.digit(), 0, JsonGrammars.MAX_DIGITS - 1));
        }
        throw new SchemaException(path, "integer bounds are supported for ranges of fewer than " + MAX_ENUMERATED_INTEGERS
                + " values or a minimum of 0 or 1 without maximum");
    }

    /** The decimal spellings of min..max as a digit trie, so matching never branches on more than ten digits. */
    private int[] integerRange(long min, long max) {
        TreeSet<String> spellings = new TreeSet<>();
        for (long v = min; v <= max; v++) spellings.add(Long.toString(v));
        return trie(new ArrayList<>(spellings), 0);
    }

    private int[] trie(List<String> words, int depth) {
        Map<Character, List<String>> byChar = new java.util.TreeMap<>();
        boolean terminal = false;
        for (String w : words) {
            if (w.length() == depth) terminal = true;
            else byChar.computeIfAbsent(w.charAt(depth), c -> new ArrayList<>()).add(w);
        }
        List<int[]> options = new ArrayList<>();
        for (Map.Entry<Character, List<String>> e : byChar.entrySet()) {
            options.add(seq(g.bytes(e.getKey(), e.getKey()), trie(e.getValue(), depth + 1)));
        }
        if (terminal) options.add(EMPTY);
        return options.size() == 1 ? options.get(0) : g.alt(options.toArray(new int[0][]));
    }

    private int[] number(JsonNode s, String path) {
        BigDecimal lo = bound(s, "minimum", "exclusiveMinimum", true, false, path);
        BigDecimal hi = bound(s, "maximum", "exclusiveMaximum", false, false, path);
        if (lo == null && hi == null) return json.number();
        boolean exclusive = s.has("exclusiveMinimum") || s.has("exclusiveMaximum");
        if (lo == null || lo.signum() < 0 || exclusive || lo.stripTrailingZeros().scale() > 0
                || (hi != null && hi.stripTrailingZeros().scale() > 0)) {
            throw new SchemaException(path, "number bounds are supported as inclusive whole numbers ≥ 0 (e.g. minimum 0, maximum 1)");
        }
        long a = lo.longValueExact();
        if (hi == null) {
            if (a != 0) throw new SchemaException(path, "a number minimum other than 0 needs a maximum");
            return seq(json.naturalNumber(), g.opt(json.fraction()));
        }
        long b = hi.longValueExact();
        if (b < a) throw new SchemaException(path, "maximum < minimum");
        if (b == a) return seq(g.literal(Long.toString(a)), g.opt(seq(g.literal("."), g.repeat(g.literal("0"), 1, JsonGrammars.MAX_DIGITS))));
        if (b - a >= MAX_ENUMERATED_INTEGERS) throw new SchemaException(path, "number ranges are supported up to " + MAX_ENUMERATED_INTEGERS + " wide");
        // a ≤ int part < b with any fraction, or exactly b (with zeros only after the point).
        int[] below = seq(integerRange(a, b - 1), g.opt(json.fraction()));
        int[] top = seq(g.literal(Long.toString(b)), g.opt(seq(g.literal("."), g.repeat(g.literal("0"), 1, JsonGrammars.MAX_DIGITS))));
        return g.alt(below, top);
    }

    /**
     * The effective lower (or upper) bound from the inclusive and exclusive keywords (draft 6+ numeric form). For
     * integers an exclusive bound becomes the next integer inward; for numbers it is returned as is and
     * {@link #number} rejects it.
     */
    private static BigDecimal bound(JsonNode s, String inclusive, String exclusive, boolean lower, boolean integer, String path) {
        BigDecimal result = null;
        if (s.has(inclusive)) {
            if (!s.get(inclusive).isNumber()) throw new SchemaException(path + "/" + inclusive, inclusive + " must be a number");
            result = s.get(inclusive).decimalValue();
        }
        if (s.has(exclusive)) {
            JsonNode e = s.get(exclusive);
            if (!e.isNumber()) throw new SchemaException(path + "/" + exclusive, exclusive + " must be a number (draft 6+ form)");
            if (!integer) return e.decimalValue();
            BigDecimal v = e.decimalValue().setScale(0, lower ? java.math.RoundingMode.FLOOR : java.math.RoundingMode.CEILING);
            v = lower ? v.add(BigDecimal.ONE) : v.subtract(BigDecimal.ONE);
            if (result == null || (lower ? v.compareTo(result) > 0 : v.compareTo(result) < 0)) result = v;
        }
        return result;
    }

    private static int nonNegative(JsonNode s, String key, int fallback, String path) {
        if (!s.has(key)) return fallback;
        JsonNode v = s.get(key);
        if (!v.canConvertToInt() || v.asInt() < 0) throw new SchemaException(path + "/" + key, key + " must be a non-negative integer");
        return v.asInt();
    }
}
