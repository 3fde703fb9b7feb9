package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * jinja2's built-in filters with their Python semantics, plus transformers' {@code tojson}
 * ({@code json.dumps} with {@code ensure_ascii=False} instead of jinja2's HTML-safe variant).
 */
final class BuiltinFilters {

    @FunctionalInterface
    interface Filter {
        Object apply(Object value, Arguments arguments);
    }

    private static final Map<String, Filter> FILTERS = new HashMap<>();

    static {
        register(BuiltinFilters::abs, "abs");
        register(BuiltinFilters::attr, "attr");
        register(BuiltinFilters::batch, "batch");
        register((v, a) -> PyStrings.capitalize(text(v, a, "capitalize")), "capitalize");
        register(BuiltinFilters::center, "center");
        register(BuiltinFilters::defaultValue, "default", "d");
        register(BuiltinFilters::dictsort, "dictsort");
        register((v, a) -> {
            a.bind("escape", 0);
            return Markup.escape(v);
        }, "escape", "e");
        register((v, a) -> new Markup(Markup.escapeText(text(v, a, "forceescape"))), "forceescape");
        register(BuiltinFilters::first, "first");
        register(BuiltinFilters::toFloat, "float");
        register(BuiltinFilters::format, "format");
        register(BuiltinFilters::indent, "indent");
        register(BuiltinFilters::toInt, "int");
        register(BuiltinFilters::items, "items");
        register(BuiltinFilters::join, "join");
        register(BuiltinFilters::last, "last");
        register((v, a) -> {
            a.bind("length", 0);
            return PyValues.length(v);
        }, "length", "count");
        register((v, a) -> {
            a.bind("list", 0);
            return PyValues.iterate(v);
        }, "list");
        register((v, a) -> PyStrings.lower(text(v, a, "lower")), "lower");
        register(BuiltinFilters::map, "map");
        register((v, a) -> aggregate(v, a, "max", 1), "max");
        register((v, a) -> aggregate(v, a, "min", -1), "min");
        register((v, a) -> selectItems(v, a, false, true), "reject");
        register((v, a) -> selectItems(v, a, true, true), "rejectattr");
        register(BuiltinFilters::replace, "replace");
        register(BuiltinFilters::reverse, "reverse");
        register(BuiltinFilters::round, "round");
        register((v, a) -> v instanceof Markup ? v : new Markup(text(v, a, "safe")), "safe");
        register((v, a) -> selectItems(v, a, false, false), "select");
        register((v, a) -> selectItems(v, a, true, false), "selectattr");
        register(BuiltinFilters::sort, "sort");
        register((v, a) -> text(v, a, "string"), "string");
        register(BuiltinFilters::sum, "sum");
        register((v, a) -> titleWords(text(v, a, "title")), "title");
        register(BuiltinFilters::tojson, "tojson");
        register(BuiltinFilters::trim, "trim");
        register(BuiltinFilters::unique, "unique");
        register((v, a) -> PyStrings.upper(text(v, a, "upper")), "upper");
        register(BuiltinFilters::wordcount, "wordcount");
    }

    private BuiltinFilters() {}

    static boolean exists(String name) {
        return FILTERS.containsKey(name);
    }

    static Object apply(String name, Object value, Arguments arguments) {
        Filter filter = FILTERS.get(name);
        if (filter == null) {
            throw new TemplateException("No filter named '" + name + "' found.");
        }
        return filter.apply(value, arguments);
    }

    private static void register(Filter filter, String... names) {
        for (String name : names) {
            FILTERS.put(name, filter);
        }
    }

    /** {@code soft_str(value)} for filters that take no arguments beyond the value. */
    private static String text(Object value, Arguments arguments, String filter) {
        arguments.bind(filter, 0);
        return PyValues.str(value);
    }

    private static Object abs(Object value, Arguments arguments) {
        arguments.bind("abs", 0);
        if (PyNumbers.isIntegral(value)) {
            return PyNumbers.normalize(PyNumbers.toBigInteger(value).abs());
        }
        if (PyNumbers.isFloat(value)) {
            return Math.abs(PyNumbers.toDouble(value));
        }
        if (value instanceof Undefined undefined) {
            throw undefined.misuse();
        }
        throw new TemplateException("bad operand type for abs(): '" + PyValues.typeName(value) + "'");
    }

    /** Only the Python attribute, never the item: {@code {'a': 1}|attr('a')} is undefined, as in jinja2. */
    private static Object attr(Object value, Arguments arguments) {
        String name = BuiltinMethods.string(arguments.bind("attr", 1, "name").get(0), "attr");
        if (value instanceof HasAttributes holder) {
            return holder.attribute(name);
        }
        Object method = BuiltinMethods.lookup(value, name);
        return method != null ? method : Undefined.attribute(value, name);
    }

    private static Object batch(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("batch", 1, "linecount", "fill_with");
        long size = BuiltinMethods.integer(bound.get(0), "batch");
        if (size <= 0) {
            throw new TemplateException("batch() linecount must be positive");
        }
        List<Object> batches = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        for (Object item : PyValues.iterate(value)) {
            current.add(item);
            if (current.size() == size) {
                batches.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            if (bound.getOr(1, null) != null) {
                while (current.size() < size) {
                    current.add(bound.get(1));
                }
            }
            batches.add(current);
        }
        return PyIterator.generator(batches);
    }

    private static Object center(Object value, Arguments arguments) {
        long width = BuiltinMethods.integer(arguments.bind("center", 0, "width").getOr(0, 80L), "center");
        return BuiltinMethods.pad(PyValues.str(value), width, " ", "center");
    }

    private static Object defaultValue(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("default", 0, "default_value", "boolean");
        boolean useDefault = value instanceof Undefined
                || PyValues.truthy(bound.getOr(1, false)) && !PyValues.truthy(value);
        return useDefault ? bound.getOr(0, "") : value;
    }

    private static Object dictsort(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("dictsort", 0, "case_sensitive", "by", "reverse");
        boolean caseSensitive = PyValues.truthy(bound.getOr(0, false));
        String by = BuiltinMethods.string(bound.getOr(1, "key"), "dictsort");
        if (!by.equals("key") && !by.equals("value")) {
            throw new TemplateException("You can only sort by either \"key\" or \"value\"");
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new TemplateException("dictsort() requires a mapping, not " + PyValues.typeName(value));
        }
        int position = by.equals("key") ? 0 : 1;
        List<Object> pairs = new ArrayList<>();
        map.forEach((k, v) -> pairs.add(PyTuple.of(k, v)));
        Comparator<Object> order = (a, b) -> PyOperators.ordering("<",
                sortKey(((PyTuple) a).get(position), caseSensitive), sortKey(((PyTuple) b).get(position), caseSensitive));
        pairs.sort(PyValues.truthy(bound.getOr(2, false)) ? order.reversed() : order);
        return pairs;
    }

    private static Object first(Object value, Arguments arguments) {
        arguments.bind("first", 0);
        if (value instanceof PyIterator iterator) {
            Object next = iterator.next();
            return next != PyValues.NO_KEY ? next : Undefined.withMessage("No first item, sequence was empty.");
        }
        List<Object> items = PyValues.iterate(value);
        return items.isEmpty() ? Undefined.withMessage("No first item, sequence was empty.") : items.getFirst();
    }

    private static Object last(Object value, Arguments arguments) {
        arguments.bind("last", 0);
        if (value instanceof PyIterator iterator) {
            throw new TemplateException("'" + iterator.typeName() + "' object is not reversible");
        }
        List<Object> items = PyValues.iterate(value);
        return items.isEmpty() ? Undefined.withMessage("No last item, sequence was empty.") : items.getLast();
    }

    private static Object toFloat(Object value, Arguments arguments) {
        Object fallback = arguments.bind("float", 0, "default").getOr(0, 0.0);
        if (PyNumbers.isNumber(value)) {
            return PyNumbers.toDouble(value);
        }
        if (value instanceof String s) {
            Double parsed = parsePythonFloat(s);
            return parsed != null ? parsed : fallback;
        }
        return fallback;
    }

    /** Python's {@code float(str)}: surrounding whitespace, underscores between digits, inf and nan. */
    private static Double parsePythonFloat(String text) {
        String s = PyStrings.strip(text, null, true, true);
        String lower = PyStrings.lower(s);
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        double sign = lower.startsWith("-") ? -1 : 1;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        if (!s.matches("[+-]?((\\d(_?\\d)*)?\\.?\\d(_?\\d)*|\\d(_?\\d)*\\.)([eE][+-]?\\d(_?\\d)*)?")) {
            return null;
        }
        return Double.parseDouble(s.replace("_", ""));
    }

    private static Object format(Object value, Arguments arguments) {
        if (!arguments.positional().isEmpty() && !arguments.keywords().isEmpty()) {
            throw new TemplateException("can't handle positional and keyword arguments at the same time");
        }
        Object values = arguments.keywords().isEmpty() ? PyTuple.of(arguments.positional())
                : new LinkedHashMap<>(arguments.keywords());
        if (value instanceof Markup markup) {
            return new Markup(PercentFormat.format(markup.text(), values, true));
        }
        return PercentFormat.format(PyValues.str(value), values, false);
    }

    /** jinja2's indent: every line but the first (unless {@code first}) gets the prefix; blank lines only with {@code blank}. */
    private static Object indent(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("indent", 0, "width", "first", "blank");
        Object width = bound.getOr(0, 4L);
        String prefix = width instanceof String s ? s : " ".repeat((int) BuiltinMethods.integer(width, "indent"));
        boolean indentFirst = PyValues.truthy(bound.getOr(1, false));
        boolean indentBlank = PyValues.truthy(bound.getOr(2, false));
        if (value instanceof Undefined undefined) {
            throw undefined.misuse();
        }
        List<String> lines = PyStrings.splitLines(PyValues.str(value) + "\n", false);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i > 0) {
                out.append('\n');
            }
            boolean indentThis = i == 0 ? indentFirst : indentBlank || !line.isEmpty();
            out.append(indentThis ? prefix : "").append(line);
        }
        return out.toString();
    }

    private static Object toInt(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("int", 0, "default", "base");
        Object fallback = bound.getOr(0, 0L);
        long base = BuiltinMethods.integer(bound.getOr(1, 10L), "int");
        if (PyNumbers.isIntegral(value)) {
            return value instanceof Boolean b ? (b ? 1L : 0L) : PyNumbers.normalize(PyNumbers.toBigInteger(value));
        }
        if (PyNumbers.isFloat(value)) {
            return PyNumbers.truncate(PyNumbers.toDouble(value));
        }
        if (value instanceof String s) {
            BigInteger parsed = parsePythonInt(s, (int) base);
            if (parsed != null) {
                return PyNumbers.normalize(parsed);
            }
            // jinja2 retries through float() so that "42.23"|int gives 42.
            Double asFloat = parsePythonFloat(s);
            return asFloat != null ? PyNumbers.truncate(asFloat) : fallback;
        }
        return fallback;
    }

    /** Python's {@code int(str, base)}: optional sign, a base prefix matching the base, underscores. */
    private static BigInteger parsePythonInt(String text, int base) {
        String s = PyStrings.strip(text, null, true, true).toLowerCase();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (base == 16 && s.startsWith("0x") || base == 8 && s.startsWith("0o") || base == 2 && s.startsWith("0b")) {
            s = s.substring(2).replaceFirst("^_", "");
        }
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__")) {
            return null;
        }
        try {
            BigInteger parsed = new BigInteger(s.replace("_", ""), base);
            return negative ? parsed.negate() : parsed;
        } catch (NumberFormatException | ArithmeticException notAnInteger) {
            return null;
        }
    }

    private static Object items(Object value, Arguments arguments) {
        arguments.bind("items", 0);
        if (value instanceof Undefined) {
            return PyIterator.generator(List.of());
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new TemplateException("Can only get item pairs from a mapping.");
        }
        List<Object> pairs = new ArrayList<>();
        map.forEach((k, v) -> pairs.add(PyTuple.of(k, v)));
        return PyIterator.generator(pairs);
    }

    private static Object join(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("join", 0, "d", "attribute");
        String separator = PyValues.str(bound.getOr(0, ""));
        Function<Object, Object> getter = bound.getOr(1, null) == null ? Function.identity()
                : attributeGetter(bound.get(1), null);
        StringBuilder out = new StringBuilder();
        List<Object> items = PyValues.iterate(value);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(separator);
            }
            out.append(PyValues.str(getter.apply(items.get(i))));
        }
        return out.toString();
    }

    private static Object map(Object value, Arguments arguments) {
        // jinja2 maps nothing (rather than failing) over a falsy value such as None.
        List<Object> items = PyValues.truthy(value) ? PyValues.iterate(value) : List.of();
        Function<Object, Object> mapper;
        if (arguments.positional().isEmpty()) {
            Arguments.Bound bound = arguments.bind("map", 1, "attribute", "default");
            mapper = attributeGetter(bound.get(0), bound.getOr(1, null));
        } else {
            Object filterName = arguments.positional().getFirst();
            if (!(filterName instanceof String name) || !exists(name)) {
                throw new TemplateException("No filter named " + PyValues.repr(filterName) + ".");
            }
            Arguments rest = new Arguments(arguments.positional().subList(1, arguments.positional().size()),
                    arguments.keywords());
            mapper = item -> apply(name, item, rest);
        }
        List<Object> mapped = new ArrayList<>(items.size());
        for (Object item : items) {
            mapped.add(mapper.apply(item));
        }
        return PyIterator.generator(mapped);
    }

    /**
     * select/reject (test on the item) and selectattr/rejectattr (test on an attribute of the item);
     * without a test name the truth value decides.
     */
    private static Object selectItems(Object value, Arguments arguments, boolean onAttribute, boolean reject) {
        List<Object> positional = arguments.positional();
        Function<Object, Object> getter = Function.identity();
        int testIndex = 0;
        if (onAttribute) {
            if (positional.isEmpty()) {
                throw new TemplateException("Missing parameter for attribute name");
            }
            getter = attributeGetter(positional.getFirst(), null);
            testIndex = 1;
        }
        Function<Object, Boolean> test;
        if (positional.size() > testIndex) {
            Object testName = positional.get(testIndex);
            if (!(testName instanceof String name) || !BuiltinTests.exists(name)) {
                throw new TemplateException("No test named " + PyValues.repr(testName) + ".");
            }
            Arguments testArguments = new Arguments(positional.subList(testIndex + 1, positional.size()),
                    arguments.keywords());
            test = item -> BuiltinTests.apply(name, item, testArguments);
        } else {
            test = PyValues::truthy;
        }
        List<Object> selected = new ArrayList<>();
        // Like map, selection over a falsy value such as None yields nothing instead of failing.
        for (Object item : PyValues.truthy(value) ? PyValues.iterate(value) : List.of()) {
            if (test.apply(getter.apply(item)) != reject) {
                selected.add(item);
            }
        }
        return PyIterator.generator(selected);
    }

    /**
     * jinja2's {@code make_attrgetter}: a dotted path such as {@code "function.name"} whose integer parts
     * index sequences; each step is an item access, as {@code environment.getitem} does.
     */
    private static Function<Object, Object> attributeGetter(Object attribute, Object fallback) {
        List<Object> path = new ArrayList<>();
        if (attribute instanceof String dotted) {
            for (String part : dotted.split("\\.", -1)) {
                path.add(part.matches("\\d+") ? (Object) Long.parseLong(part) : part);
            }
        } else {
            path.add(attribute);
        }
        return item -> {
            Object current = item;
            for (Object part : path) {
                current = ValueAccess.item(current, part);
            }
            return fallback != null && current instanceof Undefined ? fallback : current;
        };
    }

    private static Object aggregate(Object value, Arguments arguments, String name, int direction) {
        Arguments.Bound bound = arguments.bind(name, 0, "case_sensitive", "attribute");
        boolean caseSensitive = PyValues.truthy(bound.getOr(0, false));
        Function<Object, Object> getter = bound.getOr(1, null) == null ? Function.identity()
                : attributeGetter(bound.get(1), null);
        Object best = null;
        boolean found = false;
        for (Object item : PyValues.iterate(value)) {
            if (!found || direction * PyOperators.ordering("<", sortKey(getter.apply(item), caseSensitive),
                    sortKey(getter.apply(best), caseSensitive)) > 0) {
                best = item;
                found = true;
            }
        }
        return found ? best : Undefined.withMessage("No aggregated item, sequence was empty.");
    }

    private static Object sortKey(Object value, boolean caseSensitive) {
        return !caseSensitive && value instanceof String s ? PyStrings.lower(s) : value;
    }

    private static Object replace(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("replace", 2, "old", "new", "count");
        Object count = bound.getOr(2, null);
        return PyStrings.replace(PyValues.str(value), PyValues.str(bound.get(0)), PyValues.str(bound.get(1)),
                count == null ? -1 : BuiltinMethods.integer(count, "replace"));
    }

    /** A string reverses to a string; sequences give Python's reverse iterator; other iterables a list. */
    private static Object reverse(Object value, Arguments arguments) {
        arguments.bind("reverse", 0);
        return switch (value) {
            case String s -> new PySlice(null, null, -1L).apply(s);
            case List<?> list -> new PyIterator(list instanceof PyTuple ? "reversed" : "list_reverseiterator",
                    new ArrayList<Object>(list).reversed());
            case Map<?, ?> map -> new PyIterator("dict_reversekeyiterator", new ArrayList<Object>(map.keySet()).reversed());
            case Undefined u -> new PyIterator("reversed", List.of());
            default -> new ArrayList<>(PyValues.iterate(value).reversed());
        };
    }

    /** Always a float except for an int with {@code common} rounding, exactly as Python's round() returns. */
    private static Object round(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("round", 0, "precision", "method");
        int precision = (int) BuiltinMethods.integer(bound.getOr(0, 0L), "round");
        String method = BuiltinMethods.string(bound.getOr(1, "common"), "round");
        if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
            throw new TemplateException("method must be common, ceil or floor");
        }
        if (value instanceof Undefined undefined) {
            throw undefined.misuse();
        }
        if (!PyNumbers.isNumber(value)) {
            throw new TemplateException("type " + PyValues.typeName(value) + " doesn't define __round__ method");
        }
        if (method.equals("common")) {
            if (PyNumbers.isIntegral(value)) {
                BigDecimal rounded = new BigDecimal(PyNumbers.toBigInteger(value))
                        .setScale(precision, RoundingMode.HALF_EVEN);
                return PyNumbers.normalize(rounded.setScale(0, RoundingMode.UNNECESSARY).toBigInteger());
            }
            double number = PyNumbers.toDouble(value);
            if (!Double.isFinite(number)) {
                return number;
            }
            // Python rounds the exact binary value half-to-even, so 2.675 becomes 2.67.
            double rounded = new BigDecimal(number).setScale(precision, RoundingMode.HALF_EVEN).doubleValue();
            return rounded == 0 ? Math.copySign(0.0, number) : rounded;
        }
        double scale = Math.pow(10, precision);
        double scaled = PyNumbers.toDouble(value) * scale;
        return (method.equals("ceil") ? Math.ceil(scaled) : Math.floor(scaled)) / scale;
    }

    private static Object sort(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("sort", 0, "reverse", "case_sensitive", "attribute");
        boolean caseSensitive = PyValues.truthy(bound.getOr(1, false));
        Function<Object, Object> getter = bound.getOr(2, null) == null ? Function.identity()
                : attributeGetter(bound.get(2), null);
        List<Object> items = PyValues.iterate(value);
        Comparator<Object> order = (a, b) -> PyOperators.ordering("<",
                sortKey(getter.apply(a), caseSensitive), sortKey(getter.apply(b), caseSensitive));
        items.sort(PyValues.truthy(bound.getOr(0, false)) ? order.reversed() : order);
        return items;
    }

    private static Object sum(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("sum", 0, "attribute", "start");
        Function<Object, Object> getter = bound.getOr(0, null) == null ? Function.identity()
                : attributeGetter(bound.get(0), null);
        Object total = bound.getOr(1, 0L);
        for (Object item : PyValues.iterate(value)) {
            total = PyOperators.add(total, getter.apply(item));
        }
        return total;
    }

    /** jinja2's title filter: capitalise each word, where words are split at whitespace and {@code -({[<}. */
    private static String titleWords(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean wordStart = true;
        for (int cp : PyStrings.codePoints(text)) {
            boolean separator = PyStrings.isSpace(cp) || "-({[<".indexOf(cp) >= 0;
            String character = Character.toString(cp);
            out.append(wordStart ? PyStrings.upper(character) : PyStrings.lower(character));
            wordStart = separator;
        }
        return out.toString();
    }

    private static Object tojson(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("tojson", 0, "ensure_ascii", "indent", "separators", "sort_keys");
        Object indent = bound.getOr(1, null);
        String indentText = indent == null ? null
                : indent instanceof String s ? s : " ".repeat((int) Math.max(0, BuiltinMethods.integer(indent, "tojson")));
        String itemSeparator = null;
        String keySeparator = null;
        Object separators = bound.getOr(2, null);
        if (separators != null) {
            List<Object> pair = PyValues.iterate(separators);
            if (pair.size() != 2) {
                throw new TemplateException("separators must be an (item_separator, key_separator) pair");
            }
            itemSeparator = BuiltinMethods.string(pair.get(0), "tojson");
            keySeparator = BuiltinMethods.string(pair.get(1), "tojson");
        }
        JsonDumps.Options options = new JsonDumps.Options(PyValues.truthy(bound.getOr(0, false)), indentText,
                itemSeparator, keySeparator, PyValues.truthy(bound.getOr(3, false)));
        return JsonDumps.dumps(value, options);
    }

    private static Object trim(Object value, Arguments arguments) {
        Object chars = arguments.bind("trim", 0, "chars").getOr(0, null);
        return PyStrings.strip(PyValues.str(value), chars == null ? null : PyValues.str(chars), true, true);
    }

    private static Object unique(Object value, Arguments arguments) {
        Arguments.Bound bound = arguments.bind("unique", 0, "case_sensitive", "attribute");
        boolean caseSensitive = PyValues.truthy(bound.getOr(0, false));
        Function<Object, Object> getter = bound.getOr(1, null) == null ? Function.identity()
                : attributeGetter(bound.get(1), null);
        List<Object> seenKeys = new ArrayList<>();
        List<Object> unique = new ArrayList<>();
        for (Object item : PyValues.iterate(value)) {
            Object key = sortKey(getter.apply(item), caseSensitive);
            if (seenKeys.stream().noneMatch(seen -> PyValues.equal(seen, key))) {
                seenKeys.add(key);
                unique.add(item);
            }
        }
        return PyIterator.generator(unique);
    }

    /** Counts runs of word characters ({@code \w+}), as jinja2's wordcount does. */
    private static Object wordcount(Object value, Arguments arguments) {
        long words = 0;
        boolean inWord = false;
        for (int cp : PyStrings.codePoints(text(value, arguments, "wordcount"))) {
            boolean wordCharacter = Character.isLetterOrDigit(cp) || cp == '_';
            if (wordCharacter && !inWord) {
                words++;
            }
            inWord = wordCharacter;
        }
        return words;
    }
}
