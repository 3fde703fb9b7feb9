package dev.qwen4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Prefix sharing in the block pool: publish, adopt, refcounts, eviction of unreferenced blocks, copy-on-write. */
class KvPrefixSharingTest {
    private static final int BS = 4;

    private static int[] tokens(int n, int salt) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 100 + i * 7 + salt;
        return t;
    }

    /** Fills slots as a forward pass would: writes a marker per slot so copies can be checked. */
    private static void fill(KvCache c, int upTo) {
        assertThat(c.reserve(upTo)).isTrue();
        for (int p = c.length(); p < upTo; p++) c.keys(0, p)[c.slotOffset(p)] = p + 0.5f;
        c.setLength(upTo);
    }

    @Test
    void aSecondSequenceAdoptsThePublishedFullBlocks() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 100);
        int[] prompt = tokens(10, 0);
        try (KvCache a = new KvCache(pool, 64); KvCache b = new KvCache(pool, 64)) {
            fill(a, 10);
            a.publishFullBlocks(prompt);
            assertThat(pool.publishedBlocks()).isEqualTo(2); // 10 tokens: 2 full blocks of 4
            int reused = b.reusePrefix(prompt, prompt.length - 1);
            assertThat(reused).isEqualTo(8);
            assertThat(b.length()).isEqualTo(8);
            assertThat(pool.prefixHitBlocks()).isEqualTo(2);
            assertThat(pool.blocksInUse()).isEqualTo(3); // a's 3 blocks, 2 of them shared with b
            assertThat(b.keys(0, 5)[b.slotOffset(5)]).isEqualTo(5.5f);
        }
        assertThat(pool.blocksInUse()).isZero();
    }

    @Test
    void aDifferentPrefixFindsNothingEvenWithAnEqualBlockLater() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 100);
        int[] p1 = tokens(8, 0);
        int[] p2 = p1.clone();
        p2[0] = 99_999; // first block differs, second block's tokens are equal
        try (KvCache a = new KvCache(pool, 64); KvCache b = new KvCache(pool, 64)) {
            fill(a, 8);
            a.publishFullBlocks(p1);
            assertThat(b.reusePrefix(p2, 8)).isZero();
        }
    }

    @Test
    void unreferencedPublishedBlocksSurviveUntilTheirMemoryIsNeeded() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 3);
        int[] prompt = tokens(8, 0);
        try (KvCache a = new KvCache(pool, 64)) {
            fill(a, 8);
            a.publishFullBlocks(prompt);
        }
        assertThat(pool.blocksInUse()).isZero();
        assertThat(pool.publishedBlocks()).isEqualTo(2);
        try (KvCache b = new KvCache(pool, 64)) {
            assertThat(b.reusePrefix(prompt, 8)).isEqualTo(8); // still there after a closed
        }
        try (KvCache big = new KvCache(pool, 64)) {
            assertThat(big.reserve(12)).isTrue(); // needs all 3 blocks: both cached ones are evicted
            assertThat(pool.evictions()).isEqualTo(2);
            assertThat(pool.publishedBlocks()).isZero();
        }
        try (KvCache c = new KvCache(pool, 64)) {
            assertThat(c.reusePrefix(prompt, 8)).isZero();
        }
    }

    @Test
    void truncatingIntoASharedBlockCopiesItFirst() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 100);
        int[] prompt = tokens(8, 0);
        try (KvCache a = new KvCache(pool, 64); KvCache b = new KvCache(pool, 64)) {
            fill(a, 8);
            a.publishFullBlocks(prompt);
            b.reusePrefix(prompt, 8);
            b.truncate(6); // b will overwrite slots 6, 7 of the second block: it must get its own copy
            b.keys(0, 6)[b.slotOffset(6)] = -1f;
            assertThat(a.keys(0, 6)[a.slotOffset(6)]).isEqualTo(6.5f);
            assertThat(b.keys(0, 5)[b.slotOffset(5)]).isEqualTo(5.5f);
            assertThat(pool.blocksInUse()).isEqualTo(3);
        }
        assertThat(pool.blocksInUse()).isZero();
    }

    @Test
    void publishedBlockWrittenByItsOnlyOwnerIsUnpublished() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 100);
        int[] prompt = tokens(8, 0);
        try (KvCache a = new KvCache(pool, 64)) {
            fill(a, 8);
            a.publishFullBlocks(prompt);
            a.truncate(6);
            assertThat(pool.publishedBlocks()).isEqualTo(1); // the cut block no longer stands for its prefix
        }
    }
}
