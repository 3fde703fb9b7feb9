package dev.qwen4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvBlockPoolTest {
    @Test
    void preallocateMakesTheWholeBudgetUpFrontAndAllocationThenOnlyReusesIt() {
        KvBlockPool pool = new KvBlockPool(2, 8, 4, 5);
        KvBlockPool.Block early = pool.tryAllocate();
        assertThat(pool.preallocate()).isEqualTo(4 * pool.bytesPerBlock()); // the 4 not yet made
        assertThat(pool.preallocate()).isZero();
        KvBlockPool.Block[] got = new KvBlockPool.Block[4];
        for (int i = 0; i < got.length; i++) {
            got[i] = pool.tryAllocate();
            assertThat(got[i]).isNotNull().isNotSameAs(early);
            assertThat(got[i].keys).hasNumberOfRows(2);
            assertThat(got[i].keys[1]).hasSize(4 * 8);
        }
        assertThat(pool.tryAllocate()).as("budget spent").isNull();
        assertThat(pool.blocksInUse()).isEqualTo(5);
        pool.release(got[2]);
        assertThat(pool.tryAllocate()).isSameAs(got[2]);
    }

    @Test
    void aBudgetTheHeapCannotHoldIsRefusedWithTheFlagsToChange() {
        long heap = Runtime.getRuntime().maxMemory();
        int kvDim = 1 << 20; // 4 MiB per layer and slot kind: 8 MiB a block
        int blocks = (int) Math.min(Integer.MAX_VALUE - 1L, 2 * heap / (8L << 20) + 1);
        KvBlockPool pool = new KvBlockPool(1, kvDim, 1, blocks);
        assertThatThrownBy(pool::preallocate).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KV cache budget needs").hasMessageContaining("--kv-cache-mib").hasMessageContaining("-Xmx");
        assertThat(pool.tryAllocate()).as("nothing was allocated, the pool still works").isNotNull();
    }

    @Test
    void aPoolWithoutBudgetCannotBePreallocated() {
        assertThatThrownBy(new KvBlockPool(1, 8, 4, Integer.MAX_VALUE)::preallocate).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without a budget");
    }
}
