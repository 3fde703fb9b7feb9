package dev.qwen4j.template.jinja;

import java.util.List;

/**
 * A macro's name and parameters, plus which of jinja2's implicit parameters its body reads: only a
 * macro that mentions {@code varargs}, {@code kwargs} or {@code caller} accepts extra arguments or a
 * call block.
 */
record MacroSignature(String name, List<Parameter> parameters, boolean readsVarargs, boolean readsKwargs,
                      boolean readsCaller) {

    /** One parameter; {@code defaultValue} is null when the parameter has no default. */
    record Parameter(String name, Expr defaultValue) {}
}
