package dev.qwen4j.template;

/**
 * The template itself called {@code raise_exception(message)}, typically to reject a conversation it
 * cannot format (for example roles that do not alternate). The detail is the template's own message,
 * suitable to show to the caller as a bad-request reason.
 */
public final class TemplateRaisedException extends TemplateException {

    public TemplateRaisedException(String message) {
        super(message);
    }
}
