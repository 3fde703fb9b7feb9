package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Python's numeric tower over the Java boxes a template sees: Long/Integer/Short/Byte/BigInteger are
 * Python {@code int}, Double/Float/BigDecimal are {@code float}, and Boolean is an {@code int} too
 * (Python's bool subclasses int, so {@code True + 1 == 2}).
 */
final class PyNumbers {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private PyNumbers() {}

    /** An {@code int} that is not a bool. */
    static boolean isInteger(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger;
    }

    static boolean isFloat(Object value) {
        return value instanceof Double || value instanceof Float || value instanceof BigDecimal;
    }

    /** Anything Python treats as a number, bools included. */
    static boolean isNumber(Object value) {
        return isInteger(value) || isFloat(value) || value instanceof Boolean;
    }

    /** An int or bool, the operands on which integer arithmetic applies. */
    static boolean isIntegral(Object value) {
        return isInteger(value) || value instanceof Boolean;
    }

    static boolean fitsLong(Object value) {
        return !(value instanceof BigInteger big) || (big.compareTo(LONG_MIN) >= 0 && big.compareTo(LONG_MAX) <= 0);
    }

    static long toLong(Object value) {
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (value instanceof BigInteger big) {
            return big.longValueExact();
        }
        return ((Number) value).longValue();
    }

    static BigInteger toBigInteger(Object value) {
        return value instanceof BigInteger big ? big : BigInteger.valueOf(toLong(value));
    }

    static double toDouble(Object value) {
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) value).doubleValue();
    }

    /** Big results that fit come back as Long, so the common path stays on primitive arithmetic. */
    static Object normalize(BigInteger value) {
        return value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0 ? (Object) value.longValue() : value;
    }

    /** Python {@code int(x)} for a float: truncation toward zero, rejecting inf and nan like Python. */
    static Object truncate(double value) {
        if (Double.isNaN(value)) {
            throw new TemplateException("cannot convert float NaN to integer");
        }
        if (Double.isInfinite(value)) {
            throw new TemplateException("cannot convert float infinity to integer");
        }
        if (Math.abs(value) < 9.0e18) {
            return (long) value;
        }
        return normalize(new BigDecimal(value).toBigInteger());
    }

    /** Numeric comparison across int and float, exact like Python's (no precision loss for big ints). */
    static int compare(Object a, Object b) {
        if (isIntegral(a) && isIntegral(b)) {
            if (fitsLong(a) && fitsLong(b)) {
                return Long.compare(toLong(a), toLong(b));
            }
            return toBigInteger(a).compareTo(toBigInteger(b));
        }
        double x = toDouble(a);
        double y = toDouble(b);
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            return Double.compare(x, y);
        }
        return exact(a).compareTo(exact(b));
    }

    private static BigDecimal exact(Object value) {
        return isIntegral(value) ? new BigDecimal(toBigInteger(value)) : new BigDecimal(toDouble(value));
    }

    static boolean numericEquals(Object a, Object b) {
        if (isFloat(a) && Double.isNaN(toDouble(a)) || isFloat(b) && Double.isNaN(toDouble(b))) {
            return false;
        }
        return compare(a, b) == 0;
    }
}
