package dev.qwen4j.tokenizer;

/**
 * GPT-2's reversible map between bytes and printable characters, which lets byte-level BPE vocabularies be
 * stored as text. Printable Latin-1 bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for themselves; the
 * other 68 bytes map, in byte order, to U+0100, U+0101, ... (so the space byte is {@code Ġ}, U+0120).
 */
final class ByteLevelAlphabet {
    /** One past the largest character the alphabet uses (U+0100 + 68 = U+0144). */
    private static final int CHAR_LIMIT = 0x100 + 68;

    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final short[] BYTE_OF_CHAR = new short[CHAR_LIMIT];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, (short) -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + shifted++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = (short) b;
        }
    }

    private ByteLevelAlphabet() {}

    /** The character that stands for {@code unsignedByte} (0..255). */
    static char charOf(int unsignedByte) {
        return CHAR_OF_BYTE[unsignedByte];
    }

    /** The byte (0..255) that {@code c} stands for, or -1 when {@code c} is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_LIMIT ? BYTE_OF_CHAR[c] : -1;
    }

    /** The byte-level form of some UTF-8 bytes: one alphabet character per byte. */
    static String encode(byte[] bytes, int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            chars[i - from] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(chars);
    }
}
