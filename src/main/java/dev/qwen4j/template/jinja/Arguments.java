package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The positional and keyword arguments of one call from a template, with Python-style binding. */
public final class Arguments {

    private static final Arguments NONE = new Arguments(List.of(), Map.of());
    private static final Object MISSING = new Object();

    private final List<Object> positional;
    private final Map<String, Object> keywords;

    public Arguments(List<Object> positional, Map<String, Object> keywords) {
        this.positional = Collections.unmodifiableList(new ArrayList<>(positional));
        this.keywords = Collections.unmodifiableMap(new LinkedHashMap<>(keywords));
    }

    public static Arguments none() {
        return NONE;
    }

    public static Arguments of(Object... positional) {
        return new Arguments(Arrays.asList(positional), Map.of());
    }

    public List<Object> positional() {
        return positional;
    }

    public Map<String, Object> keywords() {
        return keywords;
    }

    /** These arguments with {@code first} prepended, for filters and tests whose first parameter is the value. */
    Arguments prepend(Object first) {
        List<Object> all = new ArrayList<>(positional.size() + 1);
        all.add(first);
        all.addAll(positional);
        return new Arguments(all, keywords);
    }

    /**
     * Binds to a Python signature {@code function(names...)} whose first {@code required} parameters have
     * no default, raising the same kinds of TypeError Python would for a call that does not fit.
     */
    public Bound bind(String function, int required, String... names) {
        if (positional.size() > names.length) {
            throw new TemplateException(function + "() takes at most " + names.length + " argument(s) ("
                    + positional.size() + " given)");
        }
        Object[] values = new Object[names.length];
        Arrays.fill(values, MISSING);
        for (int i = 0; i < positional.size(); i++) {
            values[i] = positional.get(i);
        }
        for (Map.Entry<String, Object> keyword : keywords.entrySet()) {
            int index = Arrays.asList(names).indexOf(keyword.getKey());
            if (index < 0) {
                throw new TemplateException(
                        function + "() got an unexpected keyword argument '" + keyword.getKey() + "'");
            }
            if (values[index] != MISSING) {
                throw new TemplateException(
                        function + "() got multiple values for argument '" + keyword.getKey() + "'");
            }
            values[index] = keyword.getValue();
        }
        for (int i = 0; i < required; i++) {
            if (values[i] == MISSING) {
                throw new TemplateException(function + "() missing required argument '" + names[i] + "'");
            }
        }
        return new Bound(values);
    }

    /** Arguments matched to parameter positions; absent optional parameters report their default. */
    public static final class Bound {

        private final Object[] values;

        private Bound(Object[] values) {
            this.values = values;
        }

        /** The value of a parameter that is required or known to be given. */
        public Object get(int index) {
            if (!isGiven(index)) {
                throw new IllegalStateException("parameter " + index + " was not given; use getOr");
            }
            return values[index];
        }

        public boolean isGiven(int index) {
            return values[index] != MISSING;
        }

        public Object getOr(int index, Object fallback) {
            return isGiven(index) ? values[index] : fallback;
        }
    }
}
