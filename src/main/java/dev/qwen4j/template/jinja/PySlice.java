package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.List;

/** The value of {@code [start:stop:step]}; null bounds mean "from the end that the step implies". */
record PySlice(Object start, Object stop, Object step) {

    /** {@code sequence[slice]} for a string (by code point), a list or a tuple. */
    Object apply(Object sequence) {
        return switch (sequence) {
            case String s -> {
                int[] cps = PyStrings.codePoints(s);
                StringBuilder out = new StringBuilder();
                for (int i : indices(cps.length)) {
                    out.appendCodePoint(cps[i]);
                }
                yield out.toString();
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>();
                for (int i : indices(list.size())) {
                    out.add(list.get(i));
                }
                yield sequence instanceof PyTuple ? PyTuple.of(out) : out;
            }
            default -> throw new TemplateException("'" + PyValues.typeName(sequence) + "' object is not subscriptable");
        };
    }

    /** Python's {@code slice.indices(length)} expanded into the selected positions. */
    int[] indices(int length) {
        long stepValue = bound(step, "step", 1);
        if (stepValue == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        long lower = stepValue > 0 ? 0 : -1;
        long upper = stepValue > 0 ? length : length - 1;
        long from = clamp(start, stepValue > 0 ? lower : upper, length, lower, upper);
        long to = clamp(stop, stepValue > 0 ? upper : lower, length, lower, upper);
        List<Integer> selected = new ArrayList<>();
        for (long i = from; stepValue > 0 ? i < to : i > to; i += stepValue) {
            selected.add((int) i);
        }
        return selected.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long clamp(Object bound, long missing, int length, long lower, long upper) {
        if (bound == null) {
            return missing;
        }
        long value = bound(bound, "index", 0);
        if (value < 0) {
            return Math.max(value + length, lower);
        }
        return Math.min(value, upper);
    }

    private static long bound(Object value, String what, long missing) {
        if (value == null) {
            return missing;
        }
        if (!PyNumbers.isIntegral(value)) {
            throw new TemplateException("slice " + what + " must be an integer or None, not '"
                    + PyValues.typeName(value) + "'");
        }
        return PyNumbers.fitsLong(value) ? PyNumbers.toLong(value)
                : PyNumbers.toBigInteger(value).signum() * (long) Integer.MAX_VALUE;
    }
}
