package dev.qwen4j.vision;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Python's rounding rules, which the reference processors rely on and Java's defaults do not follow:
 * {@code round()} / {@code numpy.round} are half-to-even ({@code Math.round} is half-up), and
 * {@code f"{x:.1f}"} rounds the exact binary value half-to-even ({@code String.format} does not).
 */
public final class PythonRound {
    private PythonRound() {}

    /** Python 3 {@code round(x)} for a float: nearest integer, ties to even (22.5 → 22). */
    public static long round(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) throw new ArithmeticException("cannot round " + x);
        return (long) Math.rint(x);
    }

    /** Python {@code f"{x:.1f}"}: the exact binary value rounded half-to-even to one decimal (0.25 → "0.2"). */
    public static String format1f(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) throw new ArithmeticException("cannot format " + x);
        String s = new BigDecimal(x).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
        // Python keeps the sign of a negative number that rounds to zero ("-0.0"); BigDecimal drops it.
        return (x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-") ? "-" + s : s;
    }
}
