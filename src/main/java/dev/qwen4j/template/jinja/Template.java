package dev.qwen4j.template.jinja;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed jinja2 template, rendered the way transformers renders chat templates: an immutable
 * sandbox with {@code trim_blocks}, {@code lstrip_blocks} and loop controls. Immutable and safe to
 * render from several threads at once.
 *
 * <p>Variables are plain Java values: null (None), Boolean, Number, String, {@link List}, {@link Map}
 * (iteration order is kept, so use insertion-ordered maps for {@code tojson}), and {@link JinjaFunction}
 * for callables such as {@code raise_exception}.
 */
public final class Template {

    private final List<Node> body;
    private final Set<String> referencedNames;
    private final Interpreter interpreter = new Interpreter();

    private Template(List<Node> body, Set<String> referencedNames) {
        this.body = body;
        this.referencedNames = Collections.unmodifiableSet(referencedNames);
    }

    /** @throws dev.qwen4j.template.TemplateException with line and column for syntax errors */
    public static Template parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        List<Node> body = parser.parseTemplate();
        return new Template(body, parser.referencedNames());
    }

    /** @throws dev.qwen4j.template.TemplateException when rendering fails, located at the failing tag */
    public String render(Map<String, ?> variables) {
        Scope globals = Scope.root();
        BuiltinGlobals.defineIn(globals);
        Scope root = globals.child();
        variables.forEach(root::set);
        return interpreter.render(body, root);
    }

    /** Every variable name the template reads anywhere, e.g. to see whether it honours {@code enable_thinking}. */
    public Set<String> referencedNames() {
        return referencedNames;
    }
}
