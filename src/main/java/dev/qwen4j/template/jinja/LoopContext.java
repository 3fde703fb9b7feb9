package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code loop} variable inside a for loop: position ({@code index}, {@code first}, {@code last}…),
 * neighbours ({@code previtem}, {@code nextitem}), {@code cycle(...)}, {@code changed(...)} and, for
 * {@code recursive} loops, {@code loop(children)} which renders the body again one level deeper.
 */
final class LoopContext implements HasAttributes, JinjaFunction {

    private static final Object NOTHING_SEEN = new Object();

    private final List<Object> items;
    private final int depth0;
    private final Function<Object, String> recurse;
    private int index0;
    private Object lastChangedValue = NOTHING_SEEN;

    /** @param recurse renders the loop body over another iterable one level deeper; null if not recursive */
    LoopContext(List<Object> items, int depth0, Function<Object, String> recurse) {
        this.items = items;
        this.depth0 = depth0;
        this.recurse = recurse;
    }

    void moveTo(int index0) {
        this.index0 = index0;
    }

    @Override
    public Object attribute(String name) {
        int length = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (length - index0);
            case "revindex0" -> (long) (length - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> (long) length;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1)
                    : Undefined.withMessage("there is no previous item");
            case "nextitem" -> index0 < length - 1 ? items.get(index0 + 1)
                    : Undefined.withMessage("there is no next item");
            case "cycle" -> (JinjaFunction) this::cycle;
            case "changed" -> (JinjaFunction) this::changed;
            default -> Undefined.attribute(this, name);
        };
    }

    private Object cycle(Arguments arguments) {
        List<Object> values = arguments.positional();
        if (values.isEmpty()) {
            throw new TemplateException("no items for cycling given");
        }
        return values.get(index0 % values.size());
    }

    /** True on the first call and whenever the arguments differ from the previous call's. */
    private Object changed(Arguments arguments) {
        Object value = PyTuple.of(arguments.positional());
        if (lastChangedValue != NOTHING_SEEN && PyValues.equal(value, lastChangedValue)) {
            return false;
        }
        lastChangedValue = value;
        return true;
    }

    @Override
    public Object call(Arguments arguments) {
        if (recurse == null) {
            throw new TemplateException(
                    "Tried to call non recursive loop.  Maybe you forgot the 'recursive' modifier.");
        }
        if (arguments.positional().size() != 1 || !arguments.keywords().isEmpty()) {
            throw new TemplateException("loop() takes exactly one argument, the iterable to recurse into");
        }
        return recurse.apply(arguments.positional().getFirst());
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
