package dev.qwen4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Native buffers that the engine fills once, on all cores, and then streams every token (the decode copies of
 * quantized weights): on Linux anonymous mappings, elsewhere arena memory.
 *
 * <p>Why: {@link Arena#allocate} zero-fills the whole buffer on the calling thread before it returns, so a 4B
 * model's 2.8 GB of decode copies were first zeroed by one thread (page-faulting every 4 KB page) and only then
 * packed by all of them. An anonymous mapping is zero already and its pages are faulted in by whichever packer
 * first writes them, in parallel: the 4B Q4_K_M first token went from 9.4–9.7 s to 7.7–8.2 s of wall time here
 * (the packing itself from 6.0–6.4 s to 4.4–4.9 s, most of it page faults: this VM spends ~4 µs on each).
 *
 * <p>Buffers below {@link #OWN_MAPPING_BYTES} (most of a 0.6B model's matrices) are cut from shared
 * {@link #SLAB_BYTES} mappings; a mapping is unmapped once no buffer cut from it is reachable.
 * {@code -Dqwen4j.hugePages=true} also advises the mappings for transparent huge pages: decode measured about 2%
 * faster with them (0.6B Q4_K_M, within this machine's noise), but their faults cost more on first use here
 * (packing 591 MB: 1.2 s against 0.7 s), so they are not the default.
 */
public final class NativeBuffers {
    private NativeBuffers() {}

    /** Shared mappings that smaller buffers are cut from. */
    static final long SLAB_BYTES = 64L << 20;
    /** Buffers this large get a mapping of their own. */
    static final long OWN_MAPPING_BYTES = 16L << 20;
    private static final long HUGE_PAGE = 2L << 20;
    private static final long ALIGN = 64;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MADV_HUGEPAGE = 14;

    private static final MethodHandle MMAP, MUNMAP, MADVISE;
    private static final boolean HUGE_PAGES = Boolean.getBoolean("qwen4j.hugePages");

    /** The shared mapping being cut, and how far it is used; guarded by the class lock. */
    private static MemorySegment slab;
    private static long slabUsed;

    static {
        MethodHandle mmap = null, munmap = null, madvise = null;
        // the flag values below are Linux's (macOS has another MAP_ANONYMOUS); without native access granted
        // (--enable-native-access, which the launcher passes) an embedding application gets arena memory and no
        // warning about restricted methods
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && NativeBuffers.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException | LinkageError e) {
                // no such symbols: arena memory
                mmap = munmap = madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    /** Whether buffers come from anonymous mappings here (Linux with native access granted; else from the arena). */
    public static boolean mapped() {
        return MMAP != null;
    }

    /**
     * A zeroed, 64-byte-aligned native buffer of the given size, freed once unreachable (as {@link Arena#ofAuto()}
     * memory). Its pages are not touched here: the threads that fill it fault them in.
     */
    public static MemorySegment allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative size " + bytes);
        if (MMAP == null) return arena(bytes);
        if (bytes >= OWN_MAPPING_BYTES) return map(bytes);
        synchronized (NativeBuffers.class) {
            long start = (slabUsed + ALIGN - 1) / ALIGN * ALIGN;
            if (slab == null || start + bytes > slab.byteSize()) {
                slab = map(SLAB_BYTES); // the previous one lives on while buffers cut from it do
                start = 0;
            }
            slabUsed = start + bytes;
            return slab.asSlice(start, bytes);
        }
    }

    /** The fallback: zeroed arena memory. */
    static MemorySegment arena(long bytes) {
        return Arena.ofAuto().allocate(Math.max(bytes, 1), ALIGN).asSlice(0, bytes);
    }

    /** A fresh anonymous mapping of at least bytes, starting on a 2 MB boundary (so huge pages can back all of it). */
    private static MemorySegment map(long bytes) {
        // one huge page extra lets the start move up to a 2 MB boundary (mmap aligns to 4 KB only)
        long length = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE + HUGE_PAGE;
        MemorySegment base;
        try {
            base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of " + length + " bytes failed", e);
        }
        if (base.address() == -1L) return arena(bytes); // MAP_FAILED: the arena tries, and reports if it cannot either
        long address = base.address(), start = (address + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE - address;
        MemorySegment whole = base.reinterpret(length, Arena.ofAuto(), unused -> unmap(address, length));
        if (HUGE_PAGES) {
            try {
                int ignored = (int) MADVISE.invokeExact(whole.asSlice(start), length - start, MADV_HUGEPAGE);
            } catch (Throwable e) {
                // advice only: the mapping works without it
            }
        }
        return whole.asSlice(start, bytes);
    }

    private static void unmap(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
        } catch (Throwable e) {
            // a cleaner has no one to report to; the range stays reserved
        }
    }
}
