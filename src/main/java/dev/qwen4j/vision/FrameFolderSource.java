package dev.qwen4j.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A video given as a folder of still frames (frame_0001.jpg, ...), in natural name order (frame_2 before
 * frame_10). There is no container to say the frame rate, so the caller states it. Only the sampled
 * frames are decoded.
 */
public final class FrameFolderSource implements FrameSource {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff");

    private final Path dir;
    private final List<Path> frames;
    private final double fps;
    private final ImageDecoder decoder;
    private final int width, height;

    public FrameFolderSource(Path dir, double fps, ImageDecoder decoder) {
        if (!(fps > 0) || !Double.isFinite(fps)) throw new IllegalArgumentException("frame rate must be positive, got " + fps);
        this.dir = dir;
        this.fps = fps;
        this.decoder = decoder;
        if (!Files.isDirectory(dir)) throw new BadMediaException(dir + ": " + (Files.exists(dir) ? "not a folder" : "folder not found"));
        try (Stream<Path> s = Files.list(dir)) {
            frames = s.filter(p -> Files.isRegularFile(p) && EXTENSIONS.contains(extension(p)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString(), FrameFolderSource::naturalCompare))
                    .toList();
        } catch (IOException e) {
            throw new BadMediaException(dir + ": cannot list frames (" + e.getMessage() + ")", e);
        }
        if (frames.isEmpty()) throw new BadMediaException(dir + ": no image frames (" + String.join(", ", EXTENSIONS) + ") in folder");
        int[] size = decoder.probeSize(frames.get(0));
        this.width = size[0];
        this.height = size[1];
    }

    public FrameFolderSource(Path dir, double fps) {
        this(dir, fps, new ImageDecoder());
    }

    /** The frame files in playback order. */
    public List<Path> files() {
        return frames;
    }

    @Override
    public String name() {
        return dir.toString();
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int frameCount() {
        return frames.size();
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public void read(int[] indices, FrameSink sink) {
        int pos = 0;
        while (pos < indices.length) {
            int index = Math.min(indices[pos], frames.size() - 1);
            Path file = frames.get(index);
            RgbImage frame = decoder.decode(file);
            if (frame.width() != width || frame.height() != height)
                throw new BadMediaException(file + ": frame is " + frame.width() + "x" + frame.height() + " but "
                        + frames.get(0).getFileName() + " is " + width + "x" + height + "; all frames must have one size");
            while (pos < indices.length && Math.min(indices[pos], frames.size() - 1) == index) sink.accept(pos++, frame);
        }
    }

    @Override
    public void close() {}

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Compares names with digit runs as numbers, so frame_2 sorts before frame_10. */
    static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                String na = strip(a.substring(si, i)), nb = strip(b.substring(sj, j));
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) return c;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    private static String strip(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') k++;
        return digits.substring(k);
    }
}
