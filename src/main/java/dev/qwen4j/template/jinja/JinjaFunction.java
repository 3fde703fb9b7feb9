package dev.qwen4j.template.jinja;

/** Anything a template can call: globals such as {@code range}, bound string methods, macros. */
@FunctionalInterface
public interface JinjaFunction {

    Object call(Arguments arguments);
}
