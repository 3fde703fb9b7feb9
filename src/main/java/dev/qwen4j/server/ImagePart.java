package dev.qwen4j.server;

/**
 * An image given in a chat message ({@code {"type": "image_url", "image_url": {"url": ...}}}; the url may be
 * a {@code data:} URL).
 *
 * @param param where it came from, e.g. {@code messages[1].content[0]}, for error messages
 */
public record ImagePart(String url, String param) {}
