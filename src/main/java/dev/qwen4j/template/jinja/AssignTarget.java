package dev.qwen4j.template.jinja;

import java.util.List;

/** The left side of {@code set}, {@code for} and {@code with}. */
sealed interface AssignTarget {

    record Variable(String name) implements AssignTarget {}

    /** {@code a, b} unpacking. */
    record Unpack(List<AssignTarget> targets) implements AssignTarget {}

    /** {@code ns.attr}, only allowed on namespace objects. */
    record NamespaceAttribute(String namespace, String attribute) implements AssignTarget {}
}
