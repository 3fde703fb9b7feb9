package dev.qwen4j.vision;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF orientation tag (0x0112) and the transpose that undoes it, as
 * {@code PIL.ImageOps.exif_transpose} does; transformers' {@code load_image} calls it on every image it
 * loads from a path, URL or base64. Found in JPEG APP1, PNG eXIf, WebP EXIF chunks and TIFF's first IFD.
 * Unreadable or missing metadata means "no rotation": metadata never makes a decodable image fail.
 */
public final class ExifOrientation {
    /** How far into a JPEG we look for the APP1 segment (it comes right after SOI in practice). */
    private static final int JPEG_SCAN_LIMIT = 1 << 20;

    private ExifOrientation() {}

    /**
     * The orientation (1..8, 1 = as stored) of the image in {@code in}, the format told by its magic bytes.
     * Call it before an ImageIO reader touches the stream (readers may discard what they have read);
     * the stream is left at position 0.
     */
    static int read(ImageInputStream in) {
        try {
            in.seek(0);
            byte[] magic = new byte[12];
            int n = in.read(magic);
            in.seek(0);
            if (n < 4) return 1;
            int o;
            if ((magic[0] & 0xFF) == 0xFF && (magic[1] & 0xFF) == 0xD8) o = jpeg(in);
            else if ((magic[0] & 0xFF) == 0x89 && magic[1] == 'P' && magic[2] == 'N' && magic[3] == 'G') o = png(in);
            else if (n == 12 && ascii(magic, 0, 4).equals("RIFF") && ascii(magic, 8, 4).equals("WEBP")) o = webp(in);
            else if (ascii(magic, 0, 2).equals("II") || ascii(magic, 0, 2).equals("MM")) o = tiff(in, 0);
            else o = 1;
            in.seek(0);
            return o;
        } catch (IOException | RuntimeException e) {
            try {
                in.seek(0);
            } catch (IOException ignored) {
                // the reader will report an unreadable stream itself
            }
            return 1;
        }
    }

    private static String ascii(byte[] b, int off, int n) {
        return new String(b, off, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static int jpeg(ImageInputStream in) throws IOException {
        if (u8(in) != 0xFF || u8(in) != 0xD8) return 1;
        while (in.getStreamPosition() < JPEG_SCAN_LIMIT) {
            int b = u8(in);
            if (b != 0xFF) return 1;
            int marker = u8(in);
            while (marker == 0xFF) marker = u8(in);
            if (marker == 0xDA || marker == 0xD9) return 1; // image data starts: no EXIF before it
            int len = u16(in, false) - 2;
            long next = in.getStreamPosition() + len;
            if (marker == 0xE1 && len > 14 && readAscii(in, 6).equals("Exif\0\0")) return tiff(in, in.getStreamPosition());
            in.seek(next);
        }
        return 1;
    }

    private static int png(ImageInputStream in) throws IOException {
        in.seek(8);
        while (true) {
            long len = u32(in, false);
            String type = readAscii(in, 4);
            long data = in.getStreamPosition();
            if (type.equals("eXIf")) return tiff(in, data);
            if (type.equals("IEND")) return 1;
            in.seek(data + len + 4);
        }
    }

    private static int webp(ImageInputStream in) throws IOException {
        in.seek(12);
        while (true) {
            String type = readAscii(in, 4);
            long len = u32(in, true);
            long data = in.getStreamPosition();
            if (type.equals("EXIF")) {
                // Some writers keep JPEG's "Exif\0\0" prefix inside the chunk.
                if (readAscii(in, 6).equals("Exif\0\0")) return tiff(in, data + 6);
                return tiff(in, data);
            }
            in.seek(data + len + (len & 1));
        }
    }

    /** A TIFF structure at {@code base}: byte order mark, IFD0 offset, then 12-byte entries. */
    private static int tiff(ImageInputStream in, long base) throws IOException {
        in.seek(base);
        String order = readAscii(in, 2);
        boolean le;
        if (order.equals("II")) le = true;
        else if (order.equals("MM")) le = false;
        else return 1;
        if (u16(in, le) != 42) return 1;
        long ifd = u32(in, le);
        in.seek(base + ifd);
        int entries = u16(in, le);
        for (int i = 0; i < entries; i++) {
            int tag = u16(in, le);
            int type = u16(in, le);
            u32(in, le);
            int value = type == 3 ? u16(in, le) : -1; // SHORT, left-aligned in the 4-byte value field
            if (tag == 0x0112) return value >= 1 && value <= 8 ? value : 1;
            in.seek(base + ifd + 2 + 12L * (i + 1));
        }
        return 1;
    }

    /**
     * Undoes orientation o: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise,
     * 7 transverse, 8 rotate 90° counter-clockwise (Pillow's table for exif_transpose).
     */
    public static RgbImage apply(RgbImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) return img;
        int w = img.width(), h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] src = img.pixels(), dst = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                int s = (sy * w + sx) * 3, d = (y * ow + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, dst);
    }

    private static int u8(ImageInputStream in) throws IOException {
        int b = in.read();
        if (b < 0) throw new IOException("end of stream");
        return b;
    }

    private static int u16(ImageInputStream in, boolean le) throws IOException {
        int a = u8(in), b = u8(in);
        return le ? a | b << 8 : a << 8 | b;
    }

    private static long u32(ImageInputStream in, boolean le) throws IOException {
        long a = u16(in, le), b = u16(in, le);
        return le ? a | b << 16 : a << 16 | b;
    }

    private static String readAscii(ImageInputStream in, int n) throws IOException {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = (char) u8(in);
        return new String(c);
    }
}
