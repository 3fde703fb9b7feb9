package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Recursive-descent parser following jinja2's grammar and operator precedence rule for rule. */
final class Parser {

    private static final Map<String, Expr.CompareOperator> COMPARE_OPERATORS = Map.of(
            "==", Expr.CompareOperator.EQUAL, "!=", Expr.CompareOperator.NOT_EQUAL,
            "<", Expr.CompareOperator.LESS, "<=", Expr.CompareOperator.LESS_EQUAL,
            ">", Expr.CompareOperator.GREATER, ">=", Expr.CompareOperator.GREATER_EQUAL);
    private static final Map<String, Expr.BinaryOperator> MULTIPLICATIVE_OPERATORS = Map.of(
            "*", Expr.BinaryOperator.MULTIPLY, "/", Expr.BinaryOperator.DIVIDE,
            "//", Expr.BinaryOperator.FLOOR_DIVIDE, "%", Expr.BinaryOperator.MODULO);
    /** jinja2 statements that only make sense with a template loader, which chat templates never have. */
    private static final Set<String> UNSUPPORTED_TAGS =
            Set.of("block", "extends", "include", "import", "from", "autoescape");
    /** The tags this parser implements; {@code generation} is the block transformers registers. */
    private static final Set<String> STATEMENT_TAGS = Set.of(
            "if", "for", "set", "macro", "call", "filter", "with", "generation", "print", "break", "continue");

    private final List<Token> tokens;
    private int index;
    /** Every variable name the template reads, in order, used for macro and thinking-switch detection. */
    private final List<String> loadedNames = new ArrayList<>();
    private final Deque<List<String>> endTagStack = new ArrayDeque<>();
    private final Deque<String> openTagStack = new ArrayDeque<>();
    /** How many for loops enclose the current position, within the current macro body. */
    private int loopDepth;
    /**
     * True inside an if statement or conditional expression (and not in a nested loop, macro or other
     * block with its own frame). jinja2 only reports unknown filters and tests there when they run, so
     * templates can guard optional filters such as {@code from_json}.
     */
    private boolean softContext;
    private final List<UnknownName> unknownNames = new ArrayList<>();

    /** A filter or test name no implementation exists for, and whether it was used in a soft context. */
    private static final class UnknownName {
        final String message;
        final Token token;
        boolean soft;

        UnknownName(String message, Token token, boolean soft) {
            this.message = message;
            this.token = token;
            this.soft = soft;
        }
    }

    Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    List<Node> parseTemplate() {
        List<Node> body = subparse(null);
        if (current().kind() != Token.Kind.EOF) {
            throw fail("unexpected '" + current().describe() + "'", current());
        }
        for (UnknownName unknown : unknownNames) {
            if (!unknown.soft) {
                throw fail(unknown.message, unknown.token);
            }
        }
        return body;
    }

    /** Parses with the given softness, restoring the enclosing one afterwards. */
    private <T> T inContext(boolean soft, java.util.function.Supplier<T> parse) {
        boolean enclosing = softContext;
        softContext = soft;
        try {
            return parse.get();
        } finally {
            softContext = enclosing;
        }
    }

    Set<String> referencedNames() {
        return new LinkedHashSet<>(loadedNames);
    }

    // ---- statements ---------------------------------------------------------------------------------

    private List<Node> subparse(List<String> endTags) {
        if (endTags != null) {
            endTagStack.push(endTags);
        }
        try {
            List<Node> body = new ArrayList<>();
            while (true) {
                Token token = current();
                switch (token.kind()) {
                    case DATA -> {
                        advance();
                        body.add(new Node.Text(token.text()));
                    }
                    case VARIABLE_BEGIN -> {
                        advance();
                        Expr expression = parseTuple(false, true, List.of(), false);
                        expect(Token.Kind.VARIABLE_END);
                        body.add(new Node.Output(expression, token.location()));
                    }
                    case BLOCK_BEGIN -> {
                        advance();
                        if (endTags != null && current().kind() == Token.Kind.NAME
                                && endTags.contains(current().text())) {
                            return body;
                        }
                        body.addAll(parseStatement());
                        expect(Token.Kind.BLOCK_END);
                    }
                    default -> {
                        return body;
                    }
                }
            }
        } finally {
            if (endTags != null) {
                endTagStack.pop();
            }
        }
    }

    private List<Node> parseStatement() {
        Token token = current();
        if (token.kind() != Token.Kind.NAME) {
            throw fail("tag name expected", token);
        }
        if (UNSUPPORTED_TAGS.contains(token.text())) {
            throw fail("tag '" + token.text() + "' is not supported: chat templates render standalone", token);
        }
        if (!STATEMENT_TAGS.contains(token.text())) {
            throw fail("Encountered unknown tag '" + token.text() + "'." + lookingFor(token.text(), null), token);
        }
        openTagStack.push(token.text());
        try {
            return switch (token.text()) {
                case "if" -> List.of(inContext(true, this::parseIf));
                case "for" -> List.of(parseFor());
                case "set" -> List.of(parseSet());
                case "macro" -> List.of(parseMacro());
                case "call" -> List.of(parseCallBlock());
                case "filter" -> List.of(parseFilterBlock());
                case "with" -> List.of(parseWith());
                case "generation" -> List.of(parseGeneration());
                case "print" -> parsePrint();
                default -> List.of(parseLoopControl());
            };
        } finally {
            openTagStack.pop();
        }
    }

    /** Reads the rest of an opening tag and the body up to one of {@code endTags}. */
    private List<Node> parseStatements(boolean consumeEndTag, String... endTags) {
        skipOperator(":");
        expect(Token.Kind.BLOCK_END);
        List<Node> body = subparse(List.of(endTags));
        if (current().kind() == Token.Kind.EOF) {
            throw unexpectedEnd(List.of(endTags));
        }
        if (consumeEndTag) {
            advance();
        }
        return body;
    }

    private Node parseIf() {
        Location location = advance().location();
        List<Node.If.Branch> branches = new ArrayList<>();
        List<Node> otherwise = List.of();
        Expr condition = parseTuple(false, false, List.of(), false);
        while (true) {
            List<Node> body = parseStatements(false, "elif", "else", "endif");
            branches.add(new Node.If.Branch(condition, body));
            Token tag = advance();
            if (tag.isName("elif")) {
                condition = parseTuple(false, false, List.of(), false);
                continue;
            }
            if (tag.isName("else")) {
                otherwise = parseStatements(true, "endif");
            }
            return new Node.If(branches, otherwise, location);
        }
    }

    private Node parseFor() {
        Location location = advance().location();
        AssignTarget target = parseAssignTarget(List.of("in"), false);
        expectName("in");
        Expr iterable = parseTuple(false, false, List.of("recursive"), false);
        Expr condition = skipName("if") ? inContext(false, () -> parseExpression(true)) : null;
        boolean recursive = skipName("recursive");
        loopDepth++;
        List<Node> body = inContext(false, () -> parseStatements(false, "endfor", "else"));
        loopDepth--;
        List<Node> otherwise = advance().isName("endfor") ? List.of() : parseStatements(true, "endfor");
        return new Node.For(target, iterable, condition, recursive, body, otherwise, location);
    }

    private Node parseSet() {
        Location location = advance().location();
        AssignTarget target = parseAssignTarget(List.of(), true);
        if (skipOperator("=")) {
            return new Node.Assign(target, parseTuple(false, true, List.of(), false), location);
        }
        List<Expr.Filter> filters = parseFilterChain(false);
        List<Node> body = inContext(false, () -> parseStatements(true, "endset"));
        return new Node.AssignBlock(target, filters, body, location);
    }

    private Node parseMacro() {
        Location location = advance().location();
        String name = expect(Token.Kind.NAME).text();
        List<MacroSignature.Parameter> parameters = inContext(false, this::parseSignature);
        int namesBefore = loadedNames.size();
        List<Node> body = parseMacroBody("endmacro");
        return new Node.MacroDefinition(signature(name, parameters, namesBefore), body, location);
    }

    private Node parseCallBlock() {
        Location location = advance().location();
        List<MacroSignature.Parameter> parameters =
                current().isOperator("(") ? parseSignature() : List.of();
        Token callStart = current();
        if (!(parseExpression(true) instanceof Expr.Call call)) {
            throw fail("expected call", callStart);
        }
        int namesBefore = loadedNames.size();
        List<Node> body = parseMacroBody("endcall");
        return new Node.CallBlock(call, signature("caller", parameters, namesBefore), body, location);
    }

    /** A macro or caller body: loop control does not reach through it to an enclosing loop. */
    private List<Node> parseMacroBody(String endTag) {
        int enclosingLoops = loopDepth;
        loopDepth = 0;
        try {
            return inContext(false, () -> parseStatements(true, endTag));
        } finally {
            loopDepth = enclosingLoops;
        }
    }

    private MacroSignature signature(String name, List<MacroSignature.Parameter> parameters, int namesBefore) {
        List<String> bodyNames = loadedNames.subList(namesBefore, loadedNames.size());
        return new MacroSignature(name, parameters, bodyNames.contains("varargs"), bodyNames.contains("kwargs"),
                bodyNames.contains("caller"));
    }

    private List<MacroSignature.Parameter> parseSignature() {
        expectOperator("(");
        List<MacroSignature.Parameter> parameters = new ArrayList<>();
        boolean sawDefault = false;
        while (!current().isOperator(")")) {
            if (!parameters.isEmpty()) {
                expectOperator(",");
            }
            Token name = expect(Token.Kind.NAME);
            Expr defaultValue = null;
            if (skipOperator("=")) {
                defaultValue = parseExpression(true);
                sawDefault = true;
            } else if (sawDefault) {
                throw fail("non-default argument follows default argument", name);
            }
            parameters.add(new MacroSignature.Parameter(name.text(), defaultValue));
        }
        expectOperator(")");
        return parameters;
    }

    private Node parseFilterBlock() {
        Location location = advance().location();
        List<Expr.Filter> filters = inContext(false, () -> parseFilterChain(true));
        return new Node.FilterBlock(filters, inContext(false, () -> parseStatements(true, "endfilter")), location);
    }

    private Node parseWith() {
        Location location = advance().location();
        List<AssignTarget> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Token.Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            targets.add(parseAssignTarget(List.of(), false));
            expectOperator("=");
            values.add(parseExpression(true));
        }
        return new Node.With(targets, values, inContext(false, () -> parseStatements(true, "endwith")), location);
    }

    private Node parseGeneration() {
        Location location = advance().location();
        return new Node.ScopedBlock(parseMacroBody("endgeneration"), location);
    }

    private List<Node> parsePrint() {
        Location location = advance().location();
        List<Node> outputs = new ArrayList<>();
        do {
            outputs.add(new Node.Output(parseExpression(true), location));
        } while (skipOperator(","));
        return outputs;
    }

    private Node parseLoopControl() {
        Token token = advance();
        if (loopDepth == 0) {
            throw fail("'" + token.text() + "' outside loop", token);
        }
        return token.text().equals("break") ? new Node.Break(token.location()) : new Node.Continue(token.location());
    }

    private AssignTarget parseAssignTarget(List<String> extraEndNames, boolean allowNamespace) {
        Token start = current();
        if (allowNamespace && start.kind() == Token.Kind.NAME && peek().isOperator(".")) {
            advance();
            advance();
            return new AssignTarget.NamespaceAttribute(start.text(), expect(Token.Kind.NAME).text());
        }
        int namesBefore = loadedNames.size();
        AssignTarget target = toTarget(parseTuple(true, false, extraEndNames, false), start);
        // Target names are written, not read: keep them out of the referenced names.
        loadedNames.subList(namesBefore, loadedNames.size()).clear();
        return target;
    }

    private AssignTarget toTarget(Expr expression, Token start) {
        return switch (expression) {
            case Expr.Name name -> new AssignTarget.Variable(name.name());
            case Expr.TupleLiteral tuple ->
                    new AssignTarget.Unpack(tuple.items().stream().map(item -> toTarget(item, start)).toList());
            default -> throw fail("can't assign to '" + expression.getClass().getSimpleName().toLowerCase() + "'",
                    start);
        };
    }

    // ---- expressions --------------------------------------------------------------------------------

    /**
     * jinja2's {@code parse_tuple}: a comma-separated sequence is a tuple, a single item is itself.
     * {@code simplified} restricts items to primaries (assignment targets).
     */
    private Expr parseTuple(boolean simplified, boolean withConditional, List<String> extraEndNames,
                            boolean explicitParentheses) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd(extraEndNames)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withConditional));
            if (current().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!explicitParentheses) {
                throw fail("Expected an expression, got '" + current().describe() + "'", current());
            }
        }
        return new Expr.TupleLiteral(items);
    }

    private boolean isTupleEnd(List<String> extraEndNames) {
        Token token = current();
        return token.kind() == Token.Kind.VARIABLE_END || token.kind() == Token.Kind.BLOCK_END
                || token.isOperator(")")
                || token.kind() == Token.Kind.NAME && extraEndNames.contains(token.text());
    }

    private Expr parseExpression(boolean withConditional) {
        return withConditional ? parseConditional() : parseOr();
    }

    private Expr parseConditional() {
        int unknownBefore = unknownNames.size();
        Expr expression = parseOr();
        if (!current().isName("if")) {
            return expression;
        }
        // The whole conditional expression is soft, including the part parsed before the "if".
        unknownNames.subList(unknownBefore, unknownNames.size()).forEach(unknown -> unknown.soft = true);
        Expr first = expression;
        return inContext(true, () -> {
            Expr conditional = first;
            while (skipName("if")) {
                Expr condition = parseOr();
                Expr otherwise = skipName("else") ? parseConditional() : null;
                conditional = new Expr.Conditional(condition, conditional, otherwise);
            }
            return conditional;
        });
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (skipName("or")) {
            left = new Expr.Or(left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (skipName("and")) {
            left = new Expr.And(left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (skipName("not")) {
            return new Expr.Not(parseNot());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Expr first = parseAdditive();
        List<Expr.Compare.Comparison> rest = new ArrayList<>();
        while (true) {
            Token token = current();
            Expr.CompareOperator operator = token.kind() == Token.Kind.OPERATOR
                    ? COMPARE_OPERATORS.get(token.text()) : null;
            if (operator != null) {
                advance();
            } else if (skipName("in")) {
                operator = Expr.CompareOperator.IN;
            } else if (token.isName("not") && peek().isName("in")) {
                advance();
                advance();
                operator = Expr.CompareOperator.NOT_IN;
            } else {
                break;
            }
            rest.add(new Expr.Compare.Comparison(operator, parseAdditive()));
        }
        return rest.isEmpty() ? first : new Expr.Compare(first, rest);
    }

    private Expr parseAdditive() {
        Expr left = parseConcat();
        while (current().isOperator("+") || current().isOperator("-")) {
            Expr.BinaryOperator operator = advance().text().equals("+")
                    ? Expr.BinaryOperator.ADD : Expr.BinaryOperator.SUBTRACT;
            left = new Expr.Binary(operator, left, parseConcat());
        }
        return left;
    }

    private Expr parseConcat() {
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMultiplicative());
        while (skipOperator("~")) {
            parts.add(parseMultiplicative());
        }
        return parts.size() == 1 ? parts.getFirst() : new Expr.Concat(parts);
    }

    private Expr parseMultiplicative() {
        Expr left = parsePower();
        while (current().kind() == Token.Kind.OPERATOR && MULTIPLICATIVE_OPERATORS.containsKey(current().text())) {
            Expr.BinaryOperator operator = MULTIPLICATIVE_OPERATORS.get(advance().text());
            left = new Expr.Binary(operator, left, parsePower());
        }
        return left;
    }

    /** jinja2 parses {@code **} left-associatively: {@code 2**3**2} is 64, unlike Python. */
    private Expr parsePower() {
        Expr left = parseUnary(true);
        while (skipOperator("**")) {
            left = new Expr.Binary(Expr.BinaryOperator.POWER, left, parseUnary(true));
        }
        return left;
    }

    /** Unary signs bind tighter than filters: {@code -x|abs} is {@code (-x)|abs}. */
    private Expr parseUnary(boolean withFilters) {
        Expr node;
        if (skipOperator("-")) {
            node = new Expr.Negate(parseUnary(false));
        } else if (skipOperator("+")) {
            node = new Expr.Positive(parseUnary(false));
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        return withFilters ? parseFiltersAndTests(node) : node;
    }

    private Expr parsePrimary() {
        Token token = current();
        switch (token.kind()) {
            case NAME -> {
                advance();
                return switch (token.text()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE);
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE);
                    case "none", "None" -> new Expr.Literal(null);
                    default -> {
                        loadedNames.add(token.text());
                        yield new Expr.Name(token.text());
                    }
                };
            }
            case STRING -> {
                StringBuilder joined = new StringBuilder();
                while (current().kind() == Token.Kind.STRING) {
                    joined.append(advance().text());
                }
                return new Expr.Literal(joined.toString());
            }
            case INTEGER, FLOAT -> {
                advance();
                return new Expr.Literal(token.number());
            }
            case OPERATOR -> {
                if (skipOperator("(")) {
                    Expr inner = parseTuple(false, true, List.of(), true);
                    expectOperator(")");
                    return inner;
                }
                if (token.isOperator("[")) {
                    return parseListLiteral();
                }
                if (token.isOperator("{")) {
                    return parseDictLiteral();
                }
            }
            default -> { }
        }
        throw fail("unexpected '" + token.describe() + "'", token);
    }

    private Expr parseListLiteral() {
        expectOperator("[");
        List<Expr> items = new ArrayList<>();
        while (!current().isOperator("]")) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (current().isOperator("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOperator("]");
        return new Expr.ListLiteral(items);
    }

    private Expr parseDictLiteral() {
        expectOperator("{");
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!current().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
            }
            if (current().isOperator("}")) {
                break;
            }
            keys.add(parseExpression(true));
            expectOperator(":");
            values.add(parseExpression(true));
        }
        expectOperator("}");
        return new Expr.DictLiteral(keys, values);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            if (current().isOperator(".") || current().isOperator("[")) {
                node = parseSubscript(node);
            } else if (current().isOperator("(")) {
                node = new Expr.Call(node, parseCallArguments());
            } else {
                return node;
            }
        }
    }

    private Expr parseFiltersAndTests(Expr node) {
        while (true) {
            if (skipOperator("|")) {
                node = parseFilter(node);
            } else if (current().isName("is")) {
                node = parseTest(node);
            } else if (current().isOperator("(")) {
                node = new Expr.Call(node, parseCallArguments());
            } else {
                return node;
            }
        }
    }

    /** The filters of a filter block ({@code inline}: the first has no pipe) or a filtered block set. */
    private List<Expr.Filter> parseFilterChain(boolean inline) {
        List<Expr.Filter> filters = new ArrayList<>();
        while (inline || skipOperator("|")) {
            filters.add(parseFilter(null));
            inline = false;
        }
        return filters;
    }

    private Expr.Filter parseFilter(Expr value) {
        Token nameToken = current();
        String name = parseDottedName();
        if (!BuiltinFilters.exists(name)) {
            unknownNames.add(new UnknownName("No filter named '" + name + "'.", nameToken, softContext));
        }
        CallArguments arguments = current().isOperator("(") ? parseCallArguments() : CallArguments.NONE;
        return new Expr.Filter(value, name, arguments);
    }

    private Expr parseTest(Expr value) {
        advance();
        boolean negated = skipName("not");
        Token nameToken = current();
        String name = parseDottedName();
        if (!BuiltinTests.exists(name)) {
            unknownNames.add(new UnknownName("No test named '" + name + "'.", nameToken, softContext));
        }
        CallArguments arguments = CallArguments.NONE;
        Token next = current();
        if (next.isOperator("(")) {
            arguments = parseCallArguments();
        } else if (startsBareTestArgument(next)) {
            if (next.isName("is")) {
                throw fail("You cannot chain multiple tests with is", next);
            }
            arguments = new CallArguments(List.of(parsePostfix(parsePrimary())), List.of(), null, null);
        }
        Expr test = new Expr.Test(value, name, arguments);
        return negated ? new Expr.Not(test) : test;
    }

    /** {@code x is divisibleby 3}: jinja2 accepts one unparenthesised argument after a test name. */
    private static boolean startsBareTestArgument(Token token) {
        return switch (token.kind()) {
            case NAME -> !token.isName("else") && !token.isName("or") && !token.isName("and");
            case STRING, INTEGER, FLOAT -> true;
            case OPERATOR -> token.isOperator("[") || token.isOperator("{");
            default -> false;
        };
    }

    private String parseDottedName() {
        StringBuilder name = new StringBuilder(expect(Token.Kind.NAME).text());
        while (skipOperator(".")) {
            name.append('.').append(expect(Token.Kind.NAME).text());
        }
        return name.toString();
    }

    private Expr parseSubscript(Expr node) {
        Token token = advance();
        if (token.isOperator(".")) {
            Token attribute = advance();
            if (attribute.kind() == Token.Kind.NAME) {
                return new Expr.Attribute(node, attribute.text());
            }
            if (attribute.kind() == Token.Kind.INTEGER) {
                return new Expr.Item(node, new Expr.Literal(attribute.number()));
            }
            throw fail("expected name or number", attribute);
        }
        List<Expr> keys = new ArrayList<>();
        while (!current().isOperator("]")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
            }
            keys.add(parseSubscribed());
        }
        expectOperator("]");
        return new Expr.Item(node, keys.size() == 1 ? keys.getFirst() : new Expr.TupleLiteral(keys));
    }

    private Expr parseSubscribed() {
        Expr start = null;
        if (!skipOperator(":")) {
            Expr expression = parseExpression(true);
            if (!skipOperator(":")) {
                return expression;
            }
            start = expression;
        }
        Expr stop = null;
        if (!current().isOperator(":") && !endsSubscript(current())) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (skipOperator(":") && !endsSubscript(current())) {
            step = parseExpression(true);
        }
        return new Expr.Slice(start, stop, step);
    }

    private static boolean endsSubscript(Token token) {
        return token.isOperator("]") || token.isOperator(",");
    }

    private CallArguments parseCallArguments() {
        Token open = expectOperator("(");
        List<Expr> positional = new ArrayList<>();
        List<CallArguments.Keyword> keywords = new ArrayList<>();
        Expr spreadPositional = null;
        Expr spreadKeywords = null;
        boolean needComma = false;
        while (!current().isOperator(")")) {
            if (needComma) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            if (skipOperator("*")) {
                requireValidCall(spreadPositional == null && spreadKeywords == null, open);
                spreadPositional = parseExpression(true);
            } else if (skipOperator("**")) {
                requireValidCall(spreadKeywords == null, open);
                spreadKeywords = parseExpression(true);
            } else if (current().kind() == Token.Kind.NAME && peek().isOperator("=")) {
                requireValidCall(spreadKeywords == null, open);
                String name = advance().text();
                advance();
                keywords.add(new CallArguments.Keyword(name, parseExpression(true)));
            } else {
                requireValidCall(spreadPositional == null && spreadKeywords == null && keywords.isEmpty(), open);
                positional.add(parseExpression(true));
            }
            needComma = true;
        }
        expectOperator(")");
        return new CallArguments(positional, keywords, spreadPositional, spreadKeywords);
    }

    private void requireValidCall(boolean valid, Token open) {
        if (!valid) {
            throw fail("invalid syntax for function call expression", open);
        }
    }

    // ---- token stream -------------------------------------------------------------------------------

    private Token current() {
        return tokens.get(index);
    }

    private Token peek() {
        return tokens.get(Math.min(index + 1, tokens.size() - 1));
    }

    private Token advance() {
        Token token = tokens.get(index);
        if (index < tokens.size() - 1) {
            index++;
        }
        return token;
    }

    private Token expect(Token.Kind kind) {
        Token token = current();
        if (token.kind() != kind) {
            if (token.kind() == Token.Kind.EOF) {
                throw fail("unexpected end of template, expected '" + describe(kind) + "'.", token);
            }
            throw fail("expected token '" + describe(kind) + "', got '" + token.describe() + "'", token);
        }
        return advance();
    }

    private static String describe(Token.Kind kind) {
        return new Token(kind, kind.name().toLowerCase(), null, null).describe();
    }

    private Token expectOperator(String symbol) {
        Token token = current();
        if (!token.isOperator(symbol)) {
            if (token.kind() == Token.Kind.EOF) {
                throw fail("unexpected end of template, expected '" + symbol + "'.", token);
            }
            throw fail("expected token '" + symbol + "', got '" + token.describe() + "'", token);
        }
        return advance();
    }

    private void expectName(String name) {
        Token token = current();
        if (!token.isName(name)) {
            throw fail("expected token '" + name + "', got '" + token.describe() + "'", token);
        }
        advance();
    }

    private boolean skipOperator(String symbol) {
        if (current().isOperator(symbol)) {
            advance();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            advance();
            return true;
        }
        return false;
    }

    private TemplateException unexpectedEnd(List<String> endTags) {
        return fail("Unexpected end of template." + lookingFor(null, endTags), current());
    }

    /**
     * jinja2's hint naming the end tags it was waiting for and the innermost open block;
     * {@code pendingEndTags} are those of a body that has just ended and are no longer on the stack.
     */
    private String lookingFor(String encounteredTag, List<String> pendingEndTags) {
        List<List<String>> stack = new ArrayList<>(endTagStack);
        if (pendingEndTags != null) {
            stack.addFirst(pendingEndTags);
        }
        StringBuilder hint = new StringBuilder();
        if (!stack.isEmpty()) {
            String expected = String.join(" or ", stack.getFirst().stream().map(t -> "'" + t + "'").toList());
            boolean nestingMistake = encounteredTag != null
                    && stack.stream().anyMatch(tags -> tags.contains(encounteredTag));
            hint.append(nestingMistake
                    ? " You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for "
                    : " Jinja was looking for the following tags: ").append(expected).append('.');
        }
        if (!openTagStack.isEmpty()) {
            hint.append(" The innermost block that needs to be closed is '").append(openTagStack.peek()).append("'.");
        }
        return hint.toString();
    }

    private static TemplateException fail(String message, Token token) {
        return new TemplateException(message, token.location().line(), token.location().column());
    }
}
