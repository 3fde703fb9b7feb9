package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;

/** Python's binary and unary operators with its result types and TypeError cases. */
final class PyOperators {

    private PyOperators() {}

    static Object apply(Expr.BinaryOperator operator, Object left, Object right) {
        return switch (operator) {
            case ADD -> add(left, right);
            case SUBTRACT -> subtract(left, right);
            case MULTIPLY -> multiply(left, right);
            case DIVIDE -> divide(left, right);
            case FLOOR_DIVIDE -> floorDivide(left, right);
            case MODULO -> modulo(left, right);
            case POWER -> power(left, right);
        };
    }

    static Object add(Object a, Object b) {
        rejectUndefined(a, b);
        if (a instanceof Markup || b instanceof Markup) {
            if (Markup.plain(a) instanceof String && Markup.plain(b) instanceof String) {
                // Markup escapes the plain string it is joined with.
                return new Markup(Markup.escape(a).text() + Markup.escape(b).text());
            }
            throw unsupported("+", a, b);
        }
        if (PyNumbers.isNumber(a) && PyNumbers.isNumber(b)) {
            return PyNumbers.isIntegral(a) && PyNumbers.isIntegral(b)
                    ? integer(a, b, Math::addExact, BigInteger::add)
                    : PyNumbers.toDouble(a) + PyNumbers.toDouble(b);
        }
        if (a instanceof String x && b instanceof String y) {
            return x + y;
        }
        if (sameSequenceKind(a, b)) {
            List<Object> joined = new ArrayList<>((List<?>) a);
            joined.addAll((List<?>) b);
            return a instanceof PyTuple ? PyTuple.of(joined) : joined;
        }
        if (a instanceof String || PyValues.isList(a) || a instanceof PyTuple) {
            throw new TemplateException("can only concatenate " + PyValues.typeName(a) + " (not \""
                    + PyValues.typeName(b) + "\") to " + PyValues.typeName(a));
        }
        throw unsupported("+", a, b);
    }

    static Object subtract(Object a, Object b) {
        rejectUndefined(a, b);
        requireNumbers("-", a, b);
        return PyNumbers.isIntegral(a) && PyNumbers.isIntegral(b)
                ? integer(a, b, Math::subtractExact, BigInteger::subtract)
                : PyNumbers.toDouble(a) - PyNumbers.toDouble(b);
    }

    static Object multiply(Object a, Object b) {
        rejectUndefined(a, b);
        if (PyNumbers.isNumber(a) && PyNumbers.isNumber(b)) {
            return PyNumbers.isIntegral(a) && PyNumbers.isIntegral(b)
                    ? integer(a, b, Math::multiplyExact, BigInteger::multiply)
                    : PyNumbers.toDouble(a) * PyNumbers.toDouble(b);
        }
        if (PyNumbers.isIntegral(a) && !PyNumbers.isIntegral(b)) {
            return multiply(b, a);
        }
        if (PyNumbers.isIntegral(b)) {
            long times = Math.max(0, PyNumbers.toLong(b));
            if (a instanceof Markup markup) {
                return new Markup(markup.text().repeat(Math.toIntExact(times)));
            }
            if (a instanceof String s) {
                return s.repeat(Math.toIntExact(times));
            }
            if (a instanceof List<?> list) {
                List<Object> repeated = new ArrayList<>();
                for (long i = 0; i < times; i++) {
                    repeated.addAll(list);
                }
                return a instanceof PyTuple ? PyTuple.of(repeated) : repeated;
            }
        }
        throw unsupported("*", a, b);
    }

    static Object divide(Object a, Object b) {
        rejectUndefined(a, b);
        requireNumbers("/", a, b);
        double divisor = PyNumbers.toDouble(b);
        if (divisor == 0) {
            throw new TemplateException("division by zero");
        }
        return PyNumbers.toDouble(a) / divisor;
    }

    static Object floorDivide(Object a, Object b) {
        rejectUndefined(a, b);
        requireNumbers("//", a, b);
        if (PyNumbers.isIntegral(a) && PyNumbers.isIntegral(b)) {
            requireNonZero(b);
            return integer(a, b, Math::floorDiv, (x, y) -> floorDivide(x, y));
        }
        double x = PyNumbers.toDouble(a);
        double y = PyNumbers.toDouble(b);
        if (y == 0) {
            throw new TemplateException("float floor division by zero");
        }
        return floatFloorDivide(x, y);
    }

    static Object modulo(Object a, Object b) {
        if (a instanceof String format) {
            return PercentFormat.format(format, b, false);
        }
        if (a instanceof Markup format) {
            return new Markup(PercentFormat.format(format.text(), b, true));
        }
        rejectUndefined(a, b);
        requireNumbers("%", a, b);
        if (PyNumbers.isIntegral(a) && PyNumbers.isIntegral(b)) {
            requireNonZero(b);
            return integer(a, b, Math::floorMod, (x, y) -> x.subtract(floorDivide(x, y).multiply(y)));
        }
        double x = PyNumbers.toDouble(a);
        double y = PyNumbers.toDouble(b);
        if (y == 0) {
            throw new TemplateException("float modulo by zero");
        }
        return floatModulo(x, y);
    }

    static Object power(Object a, Object b) {
        rejectUndefined(a, b);
        requireNumbers("**", a, b);
        if (PyNumbers.isIntegral(a) && PyNumbers.isIntegral(b) && PyNumbers.compare(b, 0L) >= 0) {
            int exponent;
            try {
                exponent = Math.toIntExact(PyNumbers.toLong(b));
            } catch (ArithmeticException tooBig) {
                throw new TemplateException("exponent too large");
            }
            return PyNumbers.normalize(PyNumbers.toBigInteger(a).pow(exponent));
        }
        double base = PyNumbers.toDouble(a);
        double exponent = PyNumbers.toDouble(b);
        if (base == 0 && exponent < 0) {
            throw new TemplateException("0.0 cannot be raised to a negative power");
        }
        return Math.pow(base, exponent);
    }

    static Object negate(Object value) {
        if (value instanceof Undefined u) {
            throw u.misuse();
        }
        if (PyNumbers.isIntegral(value)) {
            return PyNumbers.normalize(PyNumbers.toBigInteger(value).negate());
        }
        if (PyNumbers.isFloat(value)) {
            return -PyNumbers.toDouble(value);
        }
        throw new TemplateException("bad operand type for unary -: '" + PyValues.typeName(value) + "'");
    }

    static Object positive(Object value) {
        if (value instanceof Undefined u) {
            throw u.misuse();
        }
        if (value instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (PyNumbers.isNumber(value)) {
            return value;
        }
        throw new TemplateException("bad operand type for unary +: '" + PyValues.typeName(value) + "'");
    }

    /** {@code a < b} and friends; {@code ==}/{@code !=} never fail, orderings do for unrelated types. */
    static boolean compare(Expr.CompareOperator operator, Object a, Object b) {
        a = Markup.plain(a);
        b = Markup.plain(b);
        return switch (operator) {
            case EQUAL -> PyValues.equal(a, b);
            case NOT_EQUAL -> !PyValues.equal(a, b);
            case IN -> contains(b, a);
            case NOT_IN -> !contains(b, a);
            case LESS -> order(operator, a, b, c -> c < 0);
            case LESS_EQUAL -> order(operator, a, b, c -> c <= 0);
            case GREATER -> order(operator, a, b, c -> c > 0);
            case GREATER_EQUAL -> order(operator, a, b, c -> c >= 0);
        };
    }

    private static boolean order(Expr.CompareOperator operator, Object a, Object b,
                                 java.util.function.IntPredicate accept) {
        if (isNaN(a) || isNaN(b)) {
            return false;
        }
        return accept.test(ordering(operator.symbol(), a, b));
    }

    private static boolean isNaN(Object value) {
        return PyNumbers.isFloat(value) && Double.isNaN(PyNumbers.toDouble(value));
    }

    /** Python's ordering between two values, as used by comparisons, sort, min and max. */
    static int ordering(String symbol, Object a, Object b) {
        a = Markup.plain(a);
        b = Markup.plain(b);
        rejectUndefined(a, b);
        if (PyNumbers.isNumber(a) && PyNumbers.isNumber(b)) {
            return PyNumbers.compare(a, b);
        }
        if (a instanceof String x && b instanceof String y) {
            return PyStrings.compare(x, y);
        }
        if (sameSequenceKind(a, b)) {
            List<?> x = (List<?>) a;
            List<?> y = (List<?>) b;
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!PyValues.equal(x.get(i), y.get(i))) {
                    return ordering(symbol, x.get(i), y.get(i));
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw new TemplateException("'" + symbol + "' not supported between instances of '"
                + PyValues.typeName(a) + "' and '" + PyValues.typeName(b) + "'");
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object rawContainer, Object rawItem) {
        Object container = Markup.plain(rawContainer);
        Object item = Markup.plain(rawItem);
        return switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    if (item instanceof Undefined u) {
                        throw u.misuse();
                    }
                    throw new TemplateException("'in <string>' requires string as left operand, not "
                            + PyValues.typeName(item));
                }
                yield s.contains(sub);
            }
            case Map<?, ?> m -> PyValues.lookupKey(m, item) != PyValues.NO_KEY;
            case PyIterator iterator -> iterator.consumeUntil(item);
            case Collection<?> c -> c.stream().anyMatch(element -> PyValues.equal(element, item));
            case Undefined u -> false;
            case null, default -> throw new TemplateException(
                    "argument of type '" + PyValues.typeName(container) + "' is not iterable");
        };
    }

    private static boolean sameSequenceKind(Object a, Object b) {
        return (a instanceof PyTuple && b instanceof PyTuple) || (PyValues.isList(a) && PyValues.isList(b));
    }

    private static Object integer(Object a, Object b, LongBinaryOperator exact, BinaryOperator<BigInteger> big) {
        if (PyNumbers.fitsLong(a) && PyNumbers.fitsLong(b)) {
            try {
                return exact.applyAsLong(PyNumbers.toLong(a), PyNumbers.toLong(b));
            } catch (ArithmeticException overflow) {
                // Python ints are unbounded: redo the operation on BigInteger.
            }
        }
        return PyNumbers.normalize(big.apply(PyNumbers.toBigInteger(a), PyNumbers.toBigInteger(b)));
    }

    private static BigInteger floorDivide(BigInteger x, BigInteger y) {
        BigInteger[] qr = x.divideAndRemainder(y);
        return qr[1].signum() != 0 && qr[1].signum() != y.signum() ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    /** CPython's float floor division, which stays consistent with {@link #floatModulo}. */
    private static double floatFloorDivide(double x, double y) {
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0 && (y < 0) != (mod < 0)) {
            div -= 1.0;
        }
        if (div == 0) {
            return Math.copySign(0.0, x / y);
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    /** Python's float {@code %}: the result takes the sign of the divisor. */
    private static double floatModulo(double x, double y) {
        double mod = x % y;
        if (mod != 0) {
            if ((y < 0) != (mod < 0)) {
                mod += y;
            }
            return mod;
        }
        return Math.copySign(0.0, y);
    }

    private static void requireNonZero(Object divisor) {
        if (PyNumbers.compare(divisor, 0L) == 0) {
            throw new TemplateException("integer division or modulo by zero");
        }
    }

    private static void requireNumbers(String symbol, Object a, Object b) {
        if (!PyNumbers.isNumber(a) || !PyNumbers.isNumber(b)) {
            throw unsupported(symbol, a, b);
        }
    }

    private static void rejectUndefined(Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.misuse();
        }
        if (b instanceof Undefined u) {
            throw u.misuse();
        }
    }

    private static TemplateException unsupported(String symbol, Object a, Object b) {
        return new TemplateException("unsupported operand type(s) for " + symbol + ": '" + PyValues.typeName(a)
                + "' and '" + PyValues.typeName(b) + "'");
    }
}
