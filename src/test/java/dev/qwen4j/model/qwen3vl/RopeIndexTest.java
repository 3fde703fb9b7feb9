package dev.qwen4j.model.qwen3vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** get_rope_index on hand-worked prompts: the spec's image table (§4.3) and a two-group video. */
class RopeIndexTest {
    private static final int IMG = 151655, VID = 151656, VS = 151652, VE = 151653;

    @Test
    void specWorkedImageExample() {
        int[] ids = {151644, 872, 198, VS, IMG, IMG, IMG, IMG, VE, 55, 151645, 198, 151644, 77091, 198};
        RopeIndex r = RopeIndex.compute(ids, List.of(new int[] {1, 4, 4}), List.of(), 2, IMG, VID);
        assertThat(r.positions()[0]).containsExactly(0, 1, 2, 3, 4, 4, 4, 4, 6, 7, 8, 9, 10, 11, 12);
        assertThat(r.positions()[1]).containsExactly(0, 1, 2, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(r.positions()[2]).containsExactly(0, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(r.ropeDelta()).isEqualTo(-2);
    }

    @Test
    void videoGroupsAreSeparateBlocks() {
        // grid (2, 4, 6): two temporal groups of merged 2×3, each with its own start/end and timestamp token
        int[] ids = {10, VS, VID, VID, VID, VID, VID, VID, VE, 11, VS, VID, VID, VID, VID, VID, VID, VE, 12};
        RopeIndex r = RopeIndex.compute(ids, List.of(), List.of(new int[] {2, 4, 6}), 2, IMG, VID);
        assertThat(r.positions()[0]).containsExactly(0, 1, 2, 2, 2, 2, 2, 2, 5, 6, 7, 8, 8, 8, 8, 8, 8, 11, 12);
        assertThat(r.positions()[1]).containsExactly(0, 1, 2, 2, 2, 3, 3, 3, 5, 6, 7, 8, 8, 8, 9, 9, 9, 11, 12);
        assertThat(r.positions()[2]).containsExactly(0, 1, 2, 3, 4, 2, 3, 4, 5, 6, 7, 8, 9, 10, 8, 9, 10, 11, 12);
        assertThat(r.ropeDelta()).isEqualTo(13 - 19);
    }

    @Test
    void imagesAndVideosInterleaveInPromptOrder() {
        int[] ids = {VS, VID, VID, VID, VID, VE, VS, IMG, IMG, VE, 7};
        RopeIndex r = RopeIndex.compute(ids, List.of(new int[] {1, 2, 4}), List.of(new int[] {1, 4, 4}), 2, IMG, VID);
        assertThat(r.positions()[0]).containsExactly(0, 1, 1, 1, 1, 3, 4, 5, 5, 7, 8);
        assertThat(r.positions()[2]).containsExactly(0, 1, 2, 1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void leftoverInputsAreReported() {
        int[] ids = {VS, IMG, VE};
        assertThatThrownBy(() -> RopeIndex.compute(ids, List.of(new int[] {1, 2, 2}, new int[] {1, 2, 2}), List.of(), 2, IMG, VID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 images").hasMessageContaining("2 images");
    }
}
