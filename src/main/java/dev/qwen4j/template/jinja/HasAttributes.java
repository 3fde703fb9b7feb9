package dev.qwen4j.template.jinja;

/** A template-level object whose attributes are read with {@code obj.name} (namespaces, loops, macros). */
interface HasAttributes {

    /** The attribute's value, or an {@link Undefined} describing that it is missing. */
    Object attribute(String name);
}
