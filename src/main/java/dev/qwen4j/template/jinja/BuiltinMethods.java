package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The Python methods templates call on built-in values ({@code content.startswith(...)},
 * {@code message.get(...)}, {@code tools.index(...)}). Mutating methods exist in Python but jinja2's
 * immutable sandbox refuses them, so they resolve to an Undefined that fails when called.
 */
final class BuiltinMethods {

    private static final Set<String> UNSAFE_LIST_METHODS =
            Set.of("append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear");
    private static final Set<String> UNSAFE_DICT_METHODS = Set.of("pop", "popitem", "setdefault", "update", "clear");

    private BuiltinMethods() {}

    /**
     * The bound method {@code name} of {@code target}; an Undefined for a method the sandbox forbids;
     * null when the value has no such method.
     */
    static Object lookup(Object target, String name) {
        return switch (target) {
            case String s -> stringMethod(s, name);
            case PyTuple tuple -> sequenceMethod(tuple, name);
            case List<?> list -> UNSAFE_LIST_METHODS.contains(name) ? unsafe(name, "list") : sequenceMethod(list, name);
            case Map<?, ?> map -> UNSAFE_DICT_METHODS.contains(name) ? unsafe(name, "dict") : mapMethod(map, name);
            case null, default -> null;
        };
    }

    private static Undefined unsafe(String name, String type) {
        return Undefined.withMessage("access to attribute '" + name + "' of '" + type + "' object is unsafe.");
    }

    private static JinjaFunction stringMethod(String s, String name) {
        return switch (name) {
            case "startswith" -> args -> affixMatch(s, args, "startswith", true);
            case "endswith" -> args -> affixMatch(s, args, "endswith", false);
            case "strip" -> args -> strip(s, args, "strip", true, true);
            case "lstrip" -> args -> strip(s, args, "lstrip", true, false);
            case "rstrip" -> args -> strip(s, args, "rstrip", false, true);
            case "split", "rsplit" -> args -> {
                Arguments.Bound bound = args.bind(name, 0, "sep", "maxsplit");
                String separator = optionalString(bound.getOr(0, null), name);
                long maxSplit = integer(bound.getOr(1, -1L), name);
                return new ArrayList<Object>(name.equals("split") ? PyStrings.split(s, separator, maxSplit)
                        : PyStrings.rsplit(s, separator, maxSplit));
            };
            case "splitlines" -> args -> new ArrayList<Object>(PyStrings.splitLines(s,
                    PyValues.truthy(args.bind(name, 0, "keepends").getOr(0, false))));
            case "replace" -> args -> {
                Arguments.Bound bound = args.bind(name, 2, "old", "new", "count");
                return PyStrings.replace(s, string(bound.get(0), name), string(bound.get(1), name),
                        integer(bound.getOr(2, -1L), name));
            };
            case "upper" -> args -> noArguments(args, name, PyStrings.upper(s));
            case "lower", "casefold" -> args -> noArguments(args, name, PyStrings.lower(s));
            case "title" -> args -> noArguments(args, name, PyStrings.title(s));
            case "capitalize" -> args -> noArguments(args, name, PyStrings.capitalize(s));
            case "swapcase" -> args -> noArguments(args, name, swapCase(s));
            case "find", "rfind", "index", "rindex" -> args -> find(s, args, name);
            case "count" -> args -> {
                Arguments.Bound bound = args.bind(name, 1, "sub");
                return PyStrings.count(s, string(bound.get(0), name));
            };
            case "join" -> args -> join(s, args.bind(name, 1, "iterable").get(0));
            case "isdigit", "isdecimal", "isnumeric" -> args -> noArguments(args, name,
                    allMatch(s, Character::isDigit));
            case "isalpha" -> args -> noArguments(args, name, allMatch(s, Character::isLetter));
            case "isalnum" -> args -> noArguments(args, name, allMatch(s, Character::isLetterOrDigit));
            case "isspace" -> args -> noArguments(args, name, allMatch(s, PyStrings::isSpace));
            case "isupper" -> args -> noArguments(args, name, hasCased(s) && s.codePoints()
                    .noneMatch(cp -> Character.isLowerCase(cp) || Character.isTitleCase(cp)));
            case "islower" -> args -> noArguments(args, name, hasCased(s) && s.codePoints()
                    .noneMatch(cp -> Character.isUpperCase(cp) || Character.isTitleCase(cp)));
            case "zfill" -> args -> zfill(s, integer(args.bind(name, 1, "width").get(0), name));
            case "center", "ljust", "rjust" -> args -> {
                Arguments.Bound bound = args.bind(name, 1, "width", "fillchar");
                return pad(s, integer(bound.get(0), name), string(bound.getOr(1, " "), name), name);
            };
            case "partition", "rpartition" -> args -> partition(s, string(args.bind(name, 1, "sep").get(0), name),
                    name.equals("rpartition"));
            case "removeprefix" -> args -> {
                String prefix = string(args.bind(name, 1, "prefix").get(0), name);
                return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
            };
            case "removesuffix" -> args -> {
                String suffix = string(args.bind(name, 1, "suffix").get(0), name);
                return !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            };
            default -> null;
        };
    }

    private static JinjaFunction sequenceMethod(List<?> list, String name) {
        return switch (name) {
            case "index" -> args -> {
                Object item = args.bind(name, 1, "value").get(0);
                for (int i = 0; i < list.size(); i++) {
                    if (PyValues.equal(list.get(i), item)) {
                        return (long) i;
                    }
                }
                throw new TemplateException(PyValues.repr(item) + " is not in list");
            };
            case "count" -> args -> {
                Object item = args.bind(name, 1, "value").get(0);
                return list.stream().filter(element -> PyValues.equal(element, item)).count();
            };
            case "copy" -> list instanceof PyTuple ? null : args -> noArguments(args, name, new ArrayList<>(list));
            default -> null;
        };
    }

    private static JinjaFunction mapMethod(Map<?, ?> map, String name) {
        return switch (name) {
            case "items" -> args -> noArguments(args, name, new ArrayList<Object>(map.entrySet().stream()
                    .map(entry -> (Object) PyTuple.of(entry.getKey(), entry.getValue())).toList()));
            case "keys" -> args -> noArguments(args, name, new ArrayList<Object>(map.keySet()));
            case "values" -> args -> noArguments(args, name, new ArrayList<Object>(map.values()));
            case "get" -> args -> {
                Arguments.Bound bound = args.bind(name, 1, "key", "default");
                Object value = PyValues.lookupKey(map, bound.get(0));
                return value == PyValues.NO_KEY ? bound.getOr(1, null) : value;
            };
            case "copy" -> args -> noArguments(args, name, new LinkedHashMap<Object, Object>(map));
            default -> null;
        };
    }

    private static Object noArguments(Arguments args, String name, Object result) {
        args.bind(name, 0);
        return result;
    }

    private static boolean affixMatch(String s, Arguments args, String name, boolean prefix) {
        Arguments.Bound bound = args.bind(name, 1, name.equals("startswith") ? "prefix" : "suffix", "start", "end");
        String region = bound.isGiven(1) || bound.isGiven(2)
                ? (String) new PySlice(bound.getOr(1, null), bound.getOr(2, null), null).apply(s) : s;
        Object affix = bound.get(0);
        List<?> candidates = affix instanceof PyTuple tuple ? tuple : List.of(string(affix, name));
        for (Object candidate : candidates) {
            String text = string(candidate, name);
            if (prefix ? region.startsWith(text) : region.endsWith(text)) {
                return true;
            }
        }
        return false;
    }

    private static String strip(String s, Arguments args, String name, boolean left, boolean right) {
        return PyStrings.strip(s, optionalString(args.bind(name, 0, "chars").getOr(0, null), name), left, right);
    }

    private static Object find(String s, Arguments args, String name) {
        Arguments.Bound bound = args.bind(name, 1, "sub", "start", "end");
        String sub = string(bound.get(0), name);
        int[] cps = PyStrings.codePoints(s);
        long from = searchBound(bound.getOr(1, null), cps.length, 0, name);
        long to = Math.min(searchBound(bound.getOr(2, null), cps.length, cps.length, name), cps.length);
        long at = from > to ? -1
                : PyStrings.find(PyStrings.fromCodePoints(cps, (int) from, (int) to), sub, name.startsWith("r"));
        if (at < 0 && name.endsWith("index")) {
            throw new TemplateException("substring not found");
        }
        return at < 0 ? -1L : at + from;
    }

    /** Python's start/end adjustment for searches: negative counts from the end, floored at 0. */
    private static long searchBound(Object bound, int length, int missing, String function) {
        if (bound == null) {
            return missing;
        }
        long value = integer(bound, function);
        return value < 0 ? Math.max(0, value + length) : value;
    }

    private static String join(String separator, Object iterable) {
        StringBuilder out = new StringBuilder();
        List<Object> items = PyValues.iterate(iterable);
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String item)) {
                throw new TemplateException("sequence item " + i + ": expected str instance, "
                        + PyValues.typeName(items.get(i)) + " found");
            }
            if (i > 0) {
                out.append(separator);
            }
            out.append(item);
        }
        return out.toString();
    }

    private static boolean allMatch(String s, IntPredicate predicate) {
        return !s.isEmpty() && s.codePoints().allMatch(predicate);
    }

    private static boolean hasCased(String s) {
        return s.codePoints().anyMatch(PyStrings::isCased);
    }

    private static String swapCase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> out.append(Character.isUpperCase(cp) ? PyStrings.lower(Character.toString(cp))
                : Character.isLowerCase(cp) ? PyStrings.upper(Character.toString(cp)) : Character.toString(cp)));
        return out.toString();
    }

    private static String zfill(String s, long width) {
        int length = PyStrings.length(s);
        if (width <= length) {
            return s;
        }
        String zeros = "0".repeat((int) (width - length));
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            return s.charAt(0) + zeros + s.substring(1);
        }
        return zeros + s;
    }

    /** {@code str.center/ljust/rjust(width, fill)}; {@code name} picks the alignment. */
    static String pad(String s, long width, String fill, String name) {
        if (PyStrings.length(fill) != 1) {
            throw new TemplateException("The fill character must be exactly one character long");
        }
        int missing = (int) Math.max(0, width - PyStrings.length(s));
        // Python's center puts the odd extra character on the left when the width is odd.
        int left = switch (name) {
            case "ljust" -> 0;
            case "rjust" -> missing;
            default -> missing / 2 + (missing & (int) width & 1);
        };
        return fill.repeat(left) + s + fill.repeat(missing - left);
    }

    private static PyTuple partition(String s, String separator, boolean fromRight) {
        if (separator.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        int at = fromRight ? s.lastIndexOf(separator) : s.indexOf(separator);
        if (at < 0) {
            return fromRight ? PyTuple.of("", "", s) : PyTuple.of(s, "", "");
        }
        return PyTuple.of(s.substring(0, at), separator, s.substring(at + separator.length()));
    }

    static String string(Object value, String function) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Undefined u) {
            throw u.misuse();
        }
        throw new TemplateException(function + "() argument must be str, not " + PyValues.typeName(value));
    }

    private static String optionalString(Object value, String function) {
        return value == null ? null : string(value, function);
    }

    static long integer(Object value, String function) {
        if (PyNumbers.isIntegral(value) && PyNumbers.fitsLong(value)) {
            return PyNumbers.toLong(value);
        }
        if (value instanceof Undefined u) {
            throw u.misuse();
        }
        throw new TemplateException("'" + PyValues.typeName(value) + "' object cannot be interpreted as an integer"
                + " (in " + function + "())");
    }
}
