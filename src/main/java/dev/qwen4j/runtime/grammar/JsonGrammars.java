package dev.qwen4j.runtime.grammar;

import static dev.qwen4j.runtime.grammar.GrammarBuilder.seq;

/**
 * The lexical pieces of JSON (RFC 8259) as grammar patterns: whitespace, string characters, numbers, and any
 * JSON value. Whitespace between tokens is limited to the shapes formatted JSON has.
 */
final class JsonGrammars {
    /** Most indentation after a line break (enough for pretty-printed nesting ten levels deep). */
    static final int MAX_INDENT = 20;
    /** Most digits in an unbounded integer or fraction: beyond this no double is exact anyway. */
    static final int MAX_DIGITS = 20;

    private final GrammarBuilder g;
    private int[] whitespace;
    private int[] anyValue;
    private int[] stringChar;

    JsonGrammars(GrammarBuilder g) {
        this.g = g;
    }

    int[] ws() {
        // Nothing, one space, or one line break and indentation: what compact and pretty-printed JSON use. Free
        // whitespace lets a model pad forever instead of writing the answer.
        if (whitespace == null) {
            whitespace = g.opt(g.alt(g.literal(" "), seq(g.literal("\n"), g.repeat(g.bytes(' ', ' ', '\t', '\t'), 0, MAX_INDENT))));
        }
        return whitespace;
    }

    /** One string character: unescaped (no quote, backslash or control), an escape, or a UTF-8 sequence. */
    int[] stringChar() {
        if (stringChar != null) return stringChar;
        int[] cont = g.bytes(0x80, 0xBF);
        stringChar = g.alt(
                g.bytes(0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F),
                seq(g.literal("\\"), g.alt(g.bytes('"', '"', '\\', '\\', '/', '/', 'b', 'b', 'f', 'f', 'n', 'n', 'r', 'r', 't', 't'),
                        seq(g.literal("u"), g.repeat(hexDigit(), 4, 4)))),
                seq(g.bytes(0xC2, 0xDF), cont),
                seq(g.bytes(0xE0, 0xE0), g.bytes(0xA0, 0xBF), cont),
                seq(g.bytes(0xE1, 0xEC, 0xEE, 0xEF), cont, cont),
                seq(g.bytes(0xED, 0xED), g.bytes(0x80, 0x9F), cont),
                seq(g.bytes(0xF0, 0xF0), g.bytes(0x90, 0xBF), cont, cont),
                seq(g.bytes(0xF1, 0xF3), cont, cont, cont),
                seq(g.bytes(0xF4, 0xF4), g.bytes(0x80, 0x8F), cont, cont));
        return stringChar;
    }

    int[] hexDigit() {
        return g.bytes('0', '9', 'a', 'f', 'A', 'F');
    }

    int[] digit() {
        return g.bytes('0', '9');
    }

    /** A string of {@code min}..{@code max} characters ({@code max < 0}: unbounded). */
    int[] string(int min, int max) {
        return seq(g.literal("\""), g.repeat(stringChar(), min, max), g.literal("\""));
    }

    /** Digits of a non-negative integer without leading zeros. */
    int[] naturalNumber() {
        return g.alt(g.literal("0"), seq(g.bytes('1', '9'), g.repeat(digit(), 0, MAX_DIGITS - 1)));
    }

    int[] integer() {
        return seq(g.opt(g.literal("-")), naturalNumber());
    }

    int[] fraction() {
        return seq(g.literal("."), g.repeat(digit(), 1, MAX_DIGITS));
    }

    int[] number() {
        int[] exponent = seq(g.bytes('e', 'e', 'E', 'E'), g.opt(g.bytes('+', '+', '-', '-')), g.repeat(digit(), 1, 3));
        return seq(integer(), g.opt(fraction()), g.opt(exponent));
    }

    /** Any JSON value, objects and arrays nested to any depth. */
    int[] anyValue() {
        if (anyValue != null) return anyValue;
        int rule = g.declare();
        anyValue = new int[] {Grammar.ref(rule)};
        int[] member = seq(string(0, -1), ws(), g.literal(":"), ws(), anyValue);
        int[] object = seq(g.literal("{"), ws(), g.opt(seq(member, g.star(seq(ws(), g.literal(","), ws(), member)))), ws(), g.literal("}"));
        int[] array = seq(g.literal("["), ws(), g.opt(seq(anyValue, g.star(seq(ws(), g.literal(","), ws(), anyValue)))), ws(), g.literal("]"));
        g.define(rule, object, array, string(0, -1), number(), g.literal("true"), g.literal("false"), g.literal("null"));
        return anyValue;
    }
}
