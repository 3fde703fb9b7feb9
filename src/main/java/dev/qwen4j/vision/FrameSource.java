package dev.qwen4j.vision;

/**
 * A video as a sequence of equally sized RGB frames that can be streamed once, front to back, so only
 * the frames that are actually sampled are ever converted and none are kept.
 */
public interface FrameSource extends AutoCloseable {
    /** Used in error messages (usually the file or folder path). */
    String name();

    int width();

    int height();

    /** Number of frames as the container reports it (transformers' {@code total_num_frames}). */
    int frameCount();

    /** Source frame rate, or NaN when the container does not say. */
    double fps();

    /**
     * Streams the frames at the given source indices (ascending, possibly repeated) and hands frame
     * {@code indices[k]} to {@code sink} as position k. A stream that ends before the last wanted index
     * repeats its last decoded frame (frame counts from headers are often estimates).
     */
    void read(int[] indices, FrameSink sink);

    @Override
    void close();

    /** Receives the sampled frames in order. */
    @FunctionalInterface
    interface FrameSink {
        void accept(int position, RgbImage frame);
    }
}
