package dev.qwen4j.tensor;

import dev.qwen4j.tensor.quant.InterleavedMatrix;
import dev.qwen4j.tensor.quant.InterleavedRows;
import dev.qwen4j.tensor.quant.QuantRows;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A row-major [rows, cols] weight matrix used in place over (usually memory-mapped) storage, in the
 * PyTorch nn.Linear layout: y = x · Wᵀ. Nothing is copied to the heap; values are converted to f32
 * as they are read. Rows of a block-quantized dtype are whole blocks (cols a multiple of the block size).
 */
public final class WeightMatrix {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final MemorySegment data;
    private final DType dtype;
    private final int rows;
    private final int cols;
    /** {@link Bf16Panels} of a BF16 matrix once {@link #packForBatches} ran, else null. */
    private volatile MemorySegment panels;
    /** The decode copy made by {@link #interleaved} on first use, else null. */
    private volatile InterleavedMatrix interleaved;

    public WeightMatrix(String name, MemorySegment data, DType dtype, int rows, int cols) {
        if (cols % dtype.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": " + cols + " columns do not fill whole " + dtype
                    + " blocks of " + dtype.blockSize());
        }
        long need = rows * dtype.byteSize(cols);
        if (data.byteSize() != need) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.byteSize() + " bytes for " + dtype
                    + " [" + rows + ", " + cols + "], expected " + need);
        }
        this.name = name;
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
    }

    public String name() { return name; }
    public MemorySegment data() { return data; }
    public DType dtype() { return dtype; }
    public int rows() { return rows; }
    public int cols() { return cols; }

    /**
     * Keeps a second copy of a BF16 matrix in the packed-panel order of the batched kernel, so products with
     * {@link MatMul#GEMM_MIN_N} or more rows (a serving engine's decode steps) skip the per-call packing:
     * about 1.5× faster than {@link PairedBf16}'s tiles at 16 rows and 2× faster than packing per call, for
     * as many bytes of native memory as the matrix itself. Results change only by float rounding. Other
     * dtypes are left as they are. Idempotent; returns the bytes added.
     */
    public synchronized long packForBatches() {
        if (dtype != DType.BF16 || panels != null) return 0;
        panels = Bf16Panels.pack(this);
        return panels.byteSize();
    }

    /**
     * The {@link InterleavedMatrix} copy (column slices of {@link InterleavedRows}) of a Q3_K, Q4_0, Q4_K, Q5_0, Q5_K or Q6_K matrix for decode products with 8-bit
     * activations, made on first call (in parallel; native memory of about 1.05–1.6× the matrix); null for other
     * dtypes, on machines without the vector width, or when {@link InterleavedRows#enabled} is off. Weights never
     * used for decode (prefill-only, or MoE experts never chosen) are never copied.
     */
    public InterleavedMatrix interleaved() {
        InterleavedMatrix p = interleaved;
        if (p != null || !InterleavedRows.enabled() || !InterleavedRows.supports(dtype)) return p;
        synchronized (this) {
            if (interleaved == null) interleaved = InterleavedMatrix.pack(this);
            return interleaved;
        }
    }

    /** Bytes a decode step reads of this matrix: its {@link #interleaved} copy once made, else the matrix. */
    public long decodeBytes() {
        InterleavedMatrix p = interleaved;
        return p != null ? p.byteSize() : data.byteSize();
    }

    /** The panels made by {@link #packForBatches}, or null. */
    MemorySegment panels() {
        return panels;
    }

    /** Bytes of one row (rows are whole blocks for the quantized types). */
    public long rowBytes() {
        return dtype.byteSize(cols);
    }

    /** Element (r, c) as f32. */
    public float get(int r, int c) {
        long i = (long) r * cols + c;
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(I16, i) << 16);
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
            default -> QuantRows.get(dtype, data, r * rowBytes(), c);
        };
    }

    /** Copies row r, converted to f32, into dst[dstOff .. dstOff+cols). Used for embedding lookup. */
    public void rowInto(int r, float[] dst, int dstOff) {
        checkRow(r);
        if (dtype.isQuantized()) {
            QuantRows.dequantize(dtype, data, r * rowBytes(), dst, dstOff, cols);
            return;
        }
        for (int c = 0; c < cols; c++) dst[dstOff + c] = get(r, c);
    }

    /**
     * out[b·rows + r] = Σ_c W[r, c] · x[b·cols + c] for b in [0, n), with x read from xOff and out written
     * from outOff (both with the natural strides cols and rows). Runs on all compute threads.
     */
    public void matmul(float[] x, int xOff, float[] out, int outOff, int n) {
        MatMul.matmul(this, x, xOff, out, outOff, n);
    }

    /** Single-vector form: out = W · x. */
    public void matvec(float[] x, float[] out) {
        matmul(x, 0, out, 0, 1);
    }

    private void checkRow(int r) {
        if (r < 0 || r >= rows) {
            throw new IndexOutOfBoundsException("row " + r + " out of range [0, " + rows + ") in " + name);
        }
    }

    @Override
    public String toString() {
        return name + " " + dtype + " [" + rows + ", " + cols + "]";
    }
}
