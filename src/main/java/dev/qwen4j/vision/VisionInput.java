package dev.qwen4j.vision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the vision tower consumes for one image or video: {@code pixelValues} is row-major
 * [numPatches, patchDim] (rows in 2×2-merge-window order, columns (C, T, P, P)), {@code gridThw} is
 * (t, h, w) in patches (t = 1 for an image), and {@code numTokens} = t·h·w / merge² is how many
 * {@code <|image_pad|>}/{@code <|video_pad|>} tokens it takes in the prompt.
 */
public record VisionInput(float[] pixelValues, int numPatches, int patchDim, int[] gridThw, int numTokens) {
    public VisionInput {
        if (gridThw.length != 3) throw new IllegalArgumentException("gridThw must have 3 entries");
        if ((long) numPatches * patchDim != pixelValues.length)
            throw new IllegalArgumentException("pixelValues has " + pixelValues.length + " floats, expected "
                    + numPatches + "*" + patchDim);
        if ((long) gridThw[0] * gridThw[1] * gridThw[2] != numPatches)
            throw new IllegalArgumentException("grid " + gridThw[0] + "x" + gridThw[1] + "x" + gridThw[2]
                    + " does not hold " + numPatches + " patches");
    }

    public int gridT() {
        return gridThw[0];
    }

    public int gridH() {
        return gridThw[1];
    }

    public int gridW() {
        return gridThw[2];
    }

    /** SHA-256 (lowercase hex) of pixelValues written as little-endian float32: a cheap cross-language fingerprint. */
    public String pixelValuesSha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : pixelValues) {
                if (!buf.hasRemaining()) {
                    md.update(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(v);
            }
            md.update(buf.array(), 0, buf.position());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
