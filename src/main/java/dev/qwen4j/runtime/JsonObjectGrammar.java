package dev.qwen4j.runtime;

/**
 * A byte-level pushdown automaton for one JSON object (RFC 8259), used to constrain decoding
 * (response_format json_object): before each token the engine asks which tokens keep the output a prefix
 * of a valid object, and masks the rest. The whole state is four primitives (containers as bits of a long,
 * so nesting is limited to 64 levels), so trying a token costs no allocation.
 *
 * <p>Bytes of 0x80 and above are accepted only inside strings (they are the UTF-8 of non-ASCII text). In
 * the structural modes aux counts the current whitespace run.
 */
final class JsonObjectGrammar {
    static final int MAX_DEPTH = 64;
    /**
     * Whitespace run allowed between tokens of the JSON: without a bound a model can pad forever with
     * blanks (every one of them keeps the output a valid prefix), as llama.cpp's JSON grammar also guards.
     */
    static final int MAX_WHITESPACE_RUN = 24;

    // Modes: what the next byte may be.
    private static final int START = 0;          // whitespace, then '{'
    private static final int VALUE = 1;          // a value (after ':' or ',' in an array, or '[')
    private static final int VALUE_OR_CLOSE = 2; // right after '[': a value or ']'
    private static final int KEY = 3;            // a '"' opening a key (after ',' in an object)
    private static final int KEY_OR_CLOSE = 4;   // right after '{': a key or '}'
    private static final int COLON = 5;
    private static final int AFTER_VALUE = 6;    // ',' or the container's closer
    private static final int STRING = 7;         // inside a string; aux bit 0: it is a key
    private static final int ESCAPE = 8;         // after a backslash
    private static final int UNICODE = 9;        // aux: hex digits still needed (low bits), key flag in bit 8
    private static final int NUMBER = 10;        // aux: number sub-state
    private static final int LITERAL = 11;       // aux: index into LITERALS (high bits) and position (low bits)
    private static final int DONE = 12;          // the object is complete

    private static final byte[][] LITERALS = {"true".getBytes(), "false".getBytes(), "null".getBytes()};

    // Number sub-states.
    private static final int N_MINUS = 0, N_ZERO = 1, N_INT = 2, N_DOT = 3, N_FRAC = 4, N_E = 5, N_E_SIGN = 6, N_EXP = 7;

    private long stack; // bit d set: the container at depth d (1-based) is an object
    private int depth;
    private int mode = START;
    private int aux;

    /** True when the object is complete (only the end of output may follow). */
    boolean complete() {
        return mode == DONE;
    }

    /** Whether all bytes could follow the current state (the state is not changed). */
    boolean accepts(byte[] bytes) {
        long s = stack;
        int d = depth, m = mode, a = aux;
        for (byte b : bytes) {
            long r = step(s, d, m, a, b & 0xFF);
            if (r == REJECT) return false;
            s = nextStack;
            d = (int) (r >>> 32);
            m = (int) (r >>> 16) & 0xFFFF;
            a = (int) r & 0xFFFF;
        }
        return true;
    }

    /** Moves past bytes that {@link #accepts} allowed. */
    void advance(byte[] bytes) {
        for (byte b : bytes) {
            long r = step(stack, depth, mode, aux, b & 0xFF);
            if (r == REJECT) throw new IllegalStateException("byte " + (b & 0xFF) + " does not continue the JSON object");
            stack = nextStack;
            depth = (int) (r >>> 32);
            mode = (int) (r >>> 16) & 0xFFFF;
            aux = (int) r & 0xFFFF;
        }
    }

    private static final long REJECT = -1;
    /** The stack after the last {@link #step} (returned beside the packed depth/mode/aux). */
    private long nextStack;

    private long pack(long s, int d, int m, int a) {
        nextStack = s;
        return ((long) d << 32) | ((long) m << 16) | (a & 0xFFFF);
    }

    private static boolean ws(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isObject(long s, int d) {
        return (s >>> d & 1) != 0;
    }

    /** One byte: the packed next (depth, mode, aux), or REJECT. */
    private long step(long s, int d, int m, int a, int c) {
        switch (m) {
            case START:
                if (ws(c)) return a >= MAX_WHITESPACE_RUN ? REJECT : pack(s, d, m, a + 1);
                if (c == '{') return pack(s | 1L << 1, 1, KEY_OR_CLOSE, 0);
                return REJECT;
            case DONE:
                return REJECT;
            case KEY_OR_CLOSE:
            case KEY:
                if (ws(c)) return a >= MAX_WHITESPACE_RUN ? REJECT : pack(s, d, m, a + 1);
                if (c == '"') return pack(s, d, STRING, 1);
                if (c == '}' && m == KEY_OR_CLOSE) return close(s, d);
                return REJECT;
            case COLON:
                if (ws(c)) return a >= MAX_WHITESPACE_RUN ? REJECT : pack(s, d, m, a + 1);
                return c == ':' ? pack(s, d, VALUE, 0) : REJECT;
            case VALUE:
            case VALUE_OR_CLOSE:
                if (ws(c)) return a >= MAX_WHITESPACE_RUN ? REJECT : pack(s, d, m, a + 1);
                if (c == ']' && m == VALUE_OR_CLOSE) return close(s, d);
                return startValue(s, d, c);
            case AFTER_VALUE:
                if (ws(c)) return a >= MAX_WHITESPACE_RUN ? REJECT : pack(s, d, m, a + 1);
                if (c == ',') return pack(s, d, isObject(s, d) ? KEY : VALUE, 0);
                if (c == '}' && isObject(s, d) || c == ']' && !isObject(s, d)) return close(s, d);
                return REJECT;
            case STRING:
                if (c == '"') return pack(s, d, (a & 1) != 0 ? COLON : AFTER_VALUE, 0);
                if (c == '\\') return pack(s, d, ESCAPE, a);
                return c < 0x20 ? REJECT : pack(s, d, m, a);
            case ESCAPE:
                if ("\"\\/bfnrt".indexOf(c) >= 0) return pack(s, d, STRING, a);
                if (c == 'u') return pack(s, d, UNICODE, (a & 1) << 8 | 4);
                return REJECT;
            case UNICODE:
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) return REJECT;
                int left = (a & 0xFF) - 1;
                return left == 0 ? pack(s, d, STRING, a >>> 8) : pack(s, d, UNICODE, (a & ~0xFF) | left);
            case NUMBER:
                return number(s, d, a, c);
            case LITERAL: {
                byte[] lit = LITERALS[a >>> 8];
                int pos = a & 0xFF;
                if (c != lit[pos]) return REJECT;
                return pos + 1 == lit.length ? pack(s, d, AFTER_VALUE, 0) : pack(s, d, LITERAL, (a & ~0xFF) | (pos + 1));
            }
            default:
                return REJECT;
        }
    }

    private long startValue(long s, int d, int c) {
        switch (c) {
            case '"':
                return pack(s, d, STRING, 0);
            case '{':
            case '[':
                if (d >= MAX_DEPTH - 1) return REJECT;
                long bit = 1L << (d + 1);
                return pack(c == '{' ? s | bit : s & ~bit, d + 1, c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE, 0);
            case '-':
                return pack(s, d, NUMBER, N_MINUS);
            case '0':
                return pack(s, d, NUMBER, N_ZERO);
            case 't':
                return pack(s, d, LITERAL, 0 << 8 | 1);
            case 'f':
                return pack(s, d, LITERAL, 1 << 8 | 1);
            case 'n':
                return pack(s, d, LITERAL, 2 << 8 | 1);
            default:
                return c >= '1' && c <= '9' ? pack(s, d, NUMBER, N_INT) : REJECT;
        }
    }

    /** Numbers end at the first byte that cannot continue them, which is then read as AFTER_VALUE. */
    private long number(long s, int d, int state, int c) {
        boolean digit = c >= '0' && c <= '9';
        switch (state) {
            case N_MINUS:
                if (c == '0') return pack(s, d, NUMBER, N_ZERO);
                return digit ? pack(s, d, NUMBER, N_INT) : REJECT;
            case N_ZERO:
            case N_INT:
                if (digit && state == N_INT) return pack(s, d, NUMBER, N_INT);
                if (c == '.') return pack(s, d, NUMBER, N_DOT);
                if (c == 'e' || c == 'E') return pack(s, d, NUMBER, N_E);
                return step(s, d, AFTER_VALUE, 0, c);
            case N_DOT:
                return digit ? pack(s, d, NUMBER, N_FRAC) : REJECT;
            case N_FRAC:
                if (digit) return pack(s, d, NUMBER, N_FRAC);
                if (c == 'e' || c == 'E') return pack(s, d, NUMBER, N_E);
                return step(s, d, AFTER_VALUE, 0, c);
            case N_E:
                if (c == '+' || c == '-') return pack(s, d, NUMBER, N_E_SIGN);
                return digit ? pack(s, d, NUMBER, N_EXP) : REJECT;
            case N_E_SIGN:
                return digit ? pack(s, d, NUMBER, N_EXP) : REJECT;
            case N_EXP:
                return digit ? pack(s, d, NUMBER, N_EXP) : step(s, d, AFTER_VALUE, 0, c);
            default:
                return REJECT;
        }
    }

    private long close(long s, int d) {
        int up = d - 1;
        return up == 0 ? pack(s, 0, DONE, 0) : pack(s, up, AFTER_VALUE, 0);
    }
}
