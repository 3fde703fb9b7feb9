package dev.qwen4j.template;

/**
 * A chat template could not be parsed or rendered. Syntax errors always carry the line and column of
 * the offending token; runtime errors carry the location of the statement that failed.
 */
public class TemplateException extends RuntimeException {

    private final String detail;
    private int line;
    private int column;

    public TemplateException(String detail) {
        this(detail, 0, 0, null);
    }

    public TemplateException(String detail, Throwable cause) {
        this(detail, 0, 0, cause);
    }

    public TemplateException(String detail, int line, int column) {
        this(detail, line, column, null);
    }

    private TemplateException(String detail, int line, int column, Throwable cause) {
        super(detail, cause);
        this.detail = detail;
        this.line = line;
        this.column = column;
    }

    /** The message without the location suffix. */
    public String detail() {
        return detail;
    }

    /** 1-based line in the template source, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column in the template source, or 0 when unknown. */
    public int column() {
        return column;
    }

    public boolean hasLocation() {
        return line > 0;
    }

    /**
     * Records where the error happened unless a more precise (inner) location is already known;
     * runtime errors are raised deep inside expression evaluation and located by the enclosing statement.
     */
    public void locateIfUnknown(int line, int column) {
        if (!hasLocation()) {
            this.line = line;
            this.column = column;
        }
    }

    @Override
    public String getMessage() {
        return hasLocation() ? detail + " (line " + line + ", column " + column + ")" : detail;
    }
}
