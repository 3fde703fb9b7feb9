package dev.qwen4j.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG (including CMYK/YCCK), WebP, BMP, GIF (first frame) and TIFF into 8-bit RGB the way
 * transformers' {@code load_image} does: Pillow's {@code exif_transpose} then {@code convert('RGB')}
 * (see {@link PillowRgb}, {@link ExifOrientation}). ImageIO does the parsing, with the TwelveMonkeys
 * plugins (JPEG, WebP, TIFF) found through the service loader.
 *
 * <p>Immutable and thread-safe. Every failure is a {@link BadMediaException} naming the file: not an
 * image, truncated, zero-sized, or larger than the pixel cap. The cap is checked on the size in the
 * header, before any pixel is decoded, so a tiny file that claims to be 100k × 100k never allocates.
 */
public final class ImageDecoder {
    static {
        // ImageIO registers plugins from the class loader that first touched it; rescan so the TwelveMonkeys
        // readers are found also when that was another loader (application servers, Spark executors).
        ImageIO.scanForPlugins();
    }

    /** Pillow's decompression-bomb error threshold (2 × {@code Image.MAX_IMAGE_PIXELS}). */
    public static final long DEFAULT_MAX_PIXELS = 2L * 89_478_485L;

    private final long maxPixels;
    private final boolean exifTranspose;

    /** Pillow's pixel cap; EXIF orientation applied. */
    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS, true);
    }

    public ImageDecoder(long maxPixels) {
        this(maxPixels, true);
    }

    /**
     * @param maxPixels     width × height above this is refused from the header
     * @param exifTranspose undo the EXIF orientation, as transformers' {@code load_image} does for files and
     *                      URLs; off gives the stored pixels (what a processor handed a PIL image sees)
     */
    public ImageDecoder(long maxPixels, boolean exifTranspose) {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        this.maxPixels = maxPixels;
        this.exifTranspose = exifTranspose;
    }

    public long maxPixels() {
        return maxPixels;
    }

    public RgbImage decode(Path file) {
        String name = file.toString();
        try {
            if (Files.isDirectory(file)) throw new BadMediaException(name + ": is a folder, not an image file");
            if (Files.size(file) == 0) throw new BadMediaException(name + ": empty file, not an image");
        } catch (NoSuchFileException e) {
            throw new BadMediaException(name + ": file not found", e);
        } catch (IOException e) {
            throw new BadMediaException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new BadMediaException(name + ": cannot open for reading");
            return decode(in, name, in.length());
        } catch (IOException e) {
            throw new BadMediaException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Decodes in-memory bytes; {@code name} labels them in error messages. */
    public RgbImage decode(byte[] data, String name) {
        if (data.length == 0) throw new BadMediaException(name + ": empty data, not an image");
        // A memory-cached stream: ImageIO's default for streams may spill to temporary files.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            return decode(in, name, data.length);
        } catch (IOException e) {
            throw new BadMediaException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Width and height from the header only (no pixel decoding), after the EXIF orientation when applied. */
    public int[] probeSize(Path file) {
        String name = file.toString();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new BadMediaException(name + ": cannot open for reading");
            boolean swapped = exifTranspose && ExifOrientation.read(in) >= 5;
            ImageReader reader = readerFor(in, name);
            try {
                int w = reader.getWidth(0), h = reader.getHeight(0);
                return swapped ? new int[] {h, w} : new int[] {w, h};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadMediaException b) throw b;
            throw new BadMediaException(name + ": not a readable image (" + describe(e) + ")", e);
        }
    }

    /** length: the input's size in bytes, or −1 when unknown. */
    private RgbImage decode(ImageInputStream in, String name, long length) {
        int orientation = exifTranspose ? ExifOrientation.read(in) : 1;
        ImageReader reader = readerFor(in, name);
        String format = formatName(reader);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((IIOReadWarningListener) (r, warning) -> warnings.add(warning));
        try {
            int w, h;
            try {
                w = reader.getWidth(0);
                h = reader.getHeight(0);
            } catch (IndexOutOfBoundsException e) {
                throw new BadMediaException(name + ": " + format + " file holds no image (truncated or corrupt)", e);
            }
            if (w <= 0 || h <= 0) throw new BadMediaException(name + ": " + format + " image has zero size (" + w + "x" + h + ")");
            if ((long) w * h > maxPixels)
                throw new BadMediaException(name + ": " + format + " image is " + w + "x" + h + " = " + (long) w * h
                        + " pixels, more than the limit of " + maxPixels);
            if (format.equals("WEBP")) checkRiffLength(in, name, length);
            RgbImage rgb = readRgb(reader, format, name, w, h);
            for (String warning : warnings) {
                if (looksTruncated(warning)) throw new BadMediaException(name + ": truncated or corrupt " + format + " (" + warning + ")");
            }
            return ExifOrientation.apply(rgb, orientation);
        } catch (BadMediaException e) {
            throw e;
        } catch (EOFException e) {
            throw new BadMediaException(name + ": truncated " + format + " (unexpected end of file)", e);
        } catch (IIOException e) {
            throw new BadMediaException(name + ": truncated or corrupt " + format + " (" + describe(e) + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new BadMediaException(name + ": cannot decode " + format + " (" + describe(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new BadMediaException(name + ": " + format + " image too large to decode in this heap", e);
        } finally {
            reader.dispose();
        }
    }

    /** Decodes image 0 and converts it with Pillow's rules; w × h is the size the header announced. */
    private static RgbImage readRgb(ImageReader reader, String format, String name, int w, int h) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (format.equals("JPEG") && hasAlphaType(reader)) {
            // A 4-channel JPEG without an Adobe marker: TwelveMonkeys calls it RGBA, libjpeg (and so Pillow)
            // CMYK. Take the raw samples and treat them as Pillow does: inverted CMYK.
            Raster samples = reader.readRaster(0, param);
            if (samples.getNumBands() == 4) return PillowRgb.fromCmykRaster(samples, 8, true);
        }
        ImageTypeSpecifier raw = cmykType(reader);
        if (raw != null) param.setDestinationType(raw); // raw CMYK, so Pillow's conversion is applied, not an ICC one
        BufferedImage img = reader.read(0, param);
        if (img.getWidth() != w || img.getHeight() != h)
            throw new BadMediaException(name + ": " + format + " decoded to " + img.getWidth() + "x" + img.getHeight()
                    + " but the header says " + w + "x" + h);
        // Pillow unpacks every CMYK JPEG as "CMYK;I" (inverted, Adobe's convention), marker or not;
        // TwelveMonkeys hands the stored samples over unchanged on the raw CMYK path, so invert here.
        return PillowRgb.convert(img, raw != null && format.equals("JPEG"));
    }

    private static ImageReader readerFor(ImageInputStream in, String name) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext())
            throw new BadMediaException(name + ": not a supported image (expected PNG, JPEG, WebP, BMP, GIF or TIFF)");
        ImageReader reader = readers.next();
        reader.setInput(in, false, true);
        return reader;
    }

    /**
     * The WebP plugin decodes a cut-off lossless stream without complaint, so compare the RIFF header's
     * declared size with what is really there (libwebp, and so Pillow, refuse such files).
     */
    private static void checkRiffLength(ImageInputStream in, String name, long length) throws IOException {
        if (length < 0) return; // unknown length (a pure stream): nothing to compare with
        in.mark();
        try {
            in.seek(4);
            byte[] b = new byte[4];
            in.readFully(b); // byte by byte: the plugin may have changed the stream's byte order
            long declared = ((b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24) + 8;
            if (declared > length)
                throw new BadMediaException(name + ": truncated WEBP (header declares " + declared + " bytes, file has " + length + ")");
        } finally {
            in.reset();
        }
    }

    private static boolean hasAlphaType(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        return types.hasNext() && types.next().getColorModel().hasAlpha();
    }

    /** For CMYK/YCCK JPEG and CMYK TIFF: the reader's CMYK destination type, if it offers one. */
    private static ImageTypeSpecifier cmykType(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        ImageTypeSpecifier cmyk = null;
        while (types.hasNext()) {
            ImageTypeSpecifier t = types.next();
            if (cmyk == null && t.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) cmyk = t;
        }
        return cmyk;
    }

    private static boolean looksTruncated(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature") || w.contains("truncat") || w.contains("eof") || w.contains("end of file")
                || w.contains("unexpected end");
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && (m == null || !m.contains(c.getMessage()))) m = (m == null ? "" : m + ": ") + c.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }
}
