package dev.qwen4j.runtime;

/**
 * The engine's gauges at one moment.
 *
 * @param waiting          requests waiting for admission (including preempted ones)
 * @param running          sequences in the running batch
 * @param kvBlocksInUse    KV blocks referenced by sequences
 * @param kvBlocksTotal    the KV budget in blocks
 * @param kvBlocksCached   blocks findable by prefix (some may be unreferenced and evictable)
 * @param prefixHitBlocks  blocks reused from the prefix cache so far
 * @param preemptions      sequences sent back to the queue for lack of KV memory so far
 */
public record EngineSnapshot(int waiting, int running, int kvBlocksInUse, int kvBlocksTotal, int kvBlocksCached,
                             long prefixHitBlocks, long preemptions) {}
