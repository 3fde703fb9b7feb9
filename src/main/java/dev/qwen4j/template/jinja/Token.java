package dev.qwen4j.template.jinja;

/**
 * One lexical token. {@code text} is the literal text for data, names and operators and the decoded
 * value for strings; {@code number} holds the value of integer and float tokens.
 */
record Token(Kind kind, String text, Object number, Location location) {

    enum Kind {
        DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean isOperator(String symbol) {
        return kind == Kind.OPERATOR && text.equals(symbol);
    }

    boolean isName(String name) {
        return kind == Kind.NAME && text.equals(name);
    }

    /** How jinja2 names the token in "expected ..., got ..." messages. */
    String describe() {
        return switch (kind) {
            case DATA -> "template data";
            case VARIABLE_BEGIN -> "begin of print statement";
            case VARIABLE_END -> "end of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
            case BLOCK_END -> "end of statement block";
            case STRING -> "string";
            case INTEGER -> "integer";
            case FLOAT -> "float";
            case EOF -> "end of template";
            case NAME, OPERATOR -> text;
        };
    }
}
