package dev.qwen4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The native buffers behind the decode copies: zeroed, aligned, disjoint, writable end to end. */
class NativeBuffersTest {
    @Test
    void buffersAreZeroedAlignedAndDisjoint() {
        long[] sizes = {0, 1, 100, 4096, 3L << 20, NativeBuffers.OWN_MAPPING_BYTES - 8, NativeBuffers.OWN_MAPPING_BYTES + 12_345};
        MemorySegment[] buffers = new MemorySegment[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            MemorySegment b = NativeBuffers.allocate(sizes[i]);
            buffers[i] = b;
            assertThat(b.byteSize()).isEqualTo(sizes[i]);
            assertThat(b.address() % 64).as("alignment of %d bytes", sizes[i]).isZero();
            if (sizes[i] > 0) {
                assertThat(b.get(ValueLayout.JAVA_BYTE, 0)).isZero();
                assertThat(b.get(ValueLayout.JAVA_BYTE, sizes[i] - 1)).isZero();
                assertThat(b.asSlice(0, Math.min(sizes[i], 1 << 16)).mismatch(MemorySegment.ofArray(new byte[(int) Math.min(sizes[i], 1 << 16)]))).isEqualTo(-1L);
            }
            b.fill((byte) (i + 1)); // writable to the last byte
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == 0) continue;
            // filling the later buffers left this one intact: no two overlap
            assertThat(buffers[i].get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) (i + 1));
            assertThat(buffers[i].get(ValueLayout.JAVA_BYTE, sizes[i] - 1)).isEqualTo((byte) (i + 1));
        }
        assertThatThrownBy(() -> NativeBuffers.allocate(-1)).hasMessageContaining("negative size -1");
    }

    @Test
    void linuxBuffersAreAnonymousMappingsAndTheArenaFallbackBehavesTheSame() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        assertThat(NativeBuffers.mapped()).isEqualTo(linux && NativeBuffers.class.getModule().isNativeAccessEnabled());
        for (long size : new long[] {0, 1, 1000, 1 << 20}) {
            MemorySegment b = NativeBuffers.arena(size);
            assertThat(b.byteSize()).isEqualTo(size);
            assertThat(b.address() % 64).isZero();
            if (size > 0) assertThat(b.mismatch(MemorySegment.ofArray(new byte[(int) size]))).isEqualTo(-1L);
        }
    }
}
