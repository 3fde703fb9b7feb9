package dev.qwen4j.vision;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * Video files (MP4, WebM, MKV, MOV, AVI, ... anything FFmpeg demuxes) read through JavaCV's FFmpeg
 * binding. Frames are decoded one at a time and converted by FFmpeg to RGB24; only the sampled ones are
 * copied out.
 *
 * <p>The frame count is the stream's {@code nb_frames} when the container records it (MP4/MOV do, as
 * PyAV/torchcodec report it); otherwise (MKV/WebM) the video packets are counted in a demux-only pass,
 * which is exact and much cheaper than decoding.
 */
public final class FfmpegVideoSource implements FrameSource {
    private static volatile boolean nativesReady;

    private final Path file;
    private final int width, height, frameCount;
    private final double fps;

    /** Opens the file and reads its header; maxPixels caps one frame's width × height. */
    public FfmpegVideoSource(Path file, long maxPixels) {
        this.file = file;
        if (!Files.isRegularFile(file)) throw new BadMediaException(file + ": " + (Files.exists(file) ? "not a regular file" : "file not found"));
        ensureNatives();
        try (FFmpegFrameGrabber g = open()) {
            if (g.getVideoStream() < 0 || !g.hasVideo()) throw new BadMediaException(file + ": no video stream");
            this.width = g.getImageWidth();
            this.height = g.getImageHeight();
            if (width <= 0 || height <= 0) throw new BadMediaException(file + ": video frames have zero size (" + width + "x" + height + ")");
            if ((long) width * height > maxPixels)
                throw new BadMediaException(file + ": video frames are " + width + "x" + height + ", more than the limit of " + maxPixels + " pixels");
            double rate = g.getFrameRate();
            this.fps = rate > 0 && Double.isFinite(rate) ? rate : Double.NaN;
            AVStream stream = g.getFormatContext().streams(g.getVideoStream());
            long declared = stream.nb_frames();
            this.frameCount = (int) Math.min(Integer.MAX_VALUE, declared > 0 ? declared : countPackets(g));
            if (frameCount <= 0) throw new BadMediaException(file + ": video has no frames");
        } catch (BadMediaException e) {
            throw e;
        } catch (Exception e) {
            throw new BadMediaException(file + ": not a readable video (" + e.getMessage() + ")", e);
        }
    }

    public FfmpegVideoSource(Path file) {
        this(file, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** Loads FFmpeg (first use only) and quiets its logging; a platform without the natives gets one clear error. */
    private static void ensureNatives() {
        if (nativesReady) return;
        try {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            nativesReady = true;
        } catch (LinkageError e) {
            throw new IllegalStateException("video decoding needs JavaCV's FFmpeg natives, bundled for linux-x86_64 only; "
                    + "cannot load them on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " (" + e + ")", e);
        }
    }

    private FFmpegFrameGrabber open() throws FFmpegFrameGrabber.Exception {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        g.setVideoOption("threads", "auto"); // FFmpeg's own multithreaded decoding: same pixels, faster
        try {
            g.start();
        } catch (FFmpegFrameGrabber.Exception | RuntimeException e) {
            try {
                g.close();
            } catch (Exception ignored) {
                // already failing
            }
            throw e;
        }
        return g;
    }

    private static long countPackets(FFmpegFrameGrabber g) throws FFmpegFrameGrabber.Exception {
        int video = g.getVideoStream();
        long n = 0;
        AVPacket p;
        while ((p = g.grabPacket()) != null) {
            if (p.stream_index() == video) n++;
            avcodec.av_packet_unref(p);
        }
        return n;
    }

    @Override
    public String name() {
        return file.toString();
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
        return frameCount;
    }

    @Override
    public double fps() {
        return fps;
    }

    @Override
    public void read(int[] indices, FrameSink sink) {
        if (indices.length == 0) return;
        try (FFmpegFrameGrabber g = open()) {
            int pos = 0, index = -1;
            RgbImage last = null;
            Frame f;
            // Every frame must be decoded (codecs predict from earlier frames), but only sampled ones are
            // converted to RGB: doProcessing=false skips swscale for the rest.
            while (pos < indices.length && (f = g.grabFrame(false, true, indices[pos] == index + 1, false)) != null) {
                if (f.image == null) continue; // not a video frame
                index++;
                if (indices[pos] != index) continue;
                last = toRgb(f);
                while (pos < indices.length && indices[pos] == index) sink.accept(pos++, last);
            }
            if (pos < indices.length) {
                if (last == null) throw new BadMediaException(file + ": no decodable frame at or after index " + indices[pos]
                        + " (decoded " + (index + 1) + " of " + frameCount + " frames)");
                while (pos < indices.length) sink.accept(pos++, last);
            }
        } catch (BadMediaException e) {
            throw e;
        } catch (Exception e) {
            throw new BadMediaException(file + ": cannot decode video (" + e.getMessage() + ")", e);
        }
    }

    private RgbImage toRgb(Frame f) {
        if (f.imageWidth != width || f.imageHeight != height)
            throw new BadMediaException(file + ": frame size changed mid-stream from " + width + "x" + height + " to "
                    + f.imageWidth + "x" + f.imageHeight);
        // We asked FFmpeg for RGB24, so 3 bytes per pixel; JavaCV's imageChannels is stride / width and
        // overstates that whenever rows are padded (odd widths).
        if (f.imageDepth != Frame.DEPTH_UBYTE || f.imageStride < width * 3)
            throw new BadMediaException(file + ": unexpected decoded frame layout (depth " + f.imageDepth + ", stride "
                    + f.imageStride + " for width " + width + ")");
        ByteBuffer buf = ((ByteBuffer) f.image[0]).duplicate();
        int rowBytes = width * 3;
        int stride = f.imageStride; // elements per row, padded by FFmpeg
        byte[] out = new byte[rowBytes * height];
        for (int y = 0; y < height; y++) {
            buf.position(y * stride);
            buf.get(out, y * rowBytes, rowBytes);
        }
        return new RgbImage(width, height, out);
    }

    @Override
    public void close() {
        // Every read opens and closes its own grabber: nothing is held between calls.
    }
}
