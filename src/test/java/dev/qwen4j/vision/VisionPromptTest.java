package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class VisionPromptTest {
    private static VisionInput input(int t, int h, int w) {
        return new VisionInput(new float[t * h * w], t * h * w, 1, new int[] {t, h, w}, t * h * w / 4);
    }

    @Test
    void imageBecomesOnePadPerMergedPatch() {
        assertThat(VisionPrompt.imagePads(input(1, 4, 6))).isEqualTo("<|image_pad|>".repeat(6));
    }

    @Test
    void videoGroupsAreLabelledAndWrapped() {
        VideoInput v = new VideoInput(input(2, 2, 4), new int[] {0, 15, 29, 44}, 30, new double[] {0.25, 1.2166666666666666});
        String pads = "<|video_pad|><|video_pad|>";
        assertThat(VisionPrompt.videoPlaceholder(v)).isEqualTo(
                "<0.2 seconds><|vision_start|>" + pads + "<|vision_end|><1.2 seconds><|vision_start|>" + pads + "<|vision_end|>");
    }

    @Test
    void expandMatchesPlaceholdersInPromptOrder() {
        VideoInput v = new VideoInput(input(2, 2, 2), new int[] {0, 1, 2, 3}, 2, new double[] {0.5, 1.5});
        String rendered = "a<|vision_start|><|image_pad|><|vision_end|>b<|vision_start|><|video_pad|><|vision_end|>c<|video_pad|>d"
                + "<|vision_start|><|image_pad|><|vision_end|>";
        String video = "<0.5 seconds><|vision_start|><|video_pad|><|vision_end|><1.5 seconds><|vision_start|><|video_pad|><|vision_end|>";
        assertThat(VisionPrompt.expand(rendered, List.of(input(1, 2, 4), input(1, 4, 4)), List.of(v, v))).isEqualTo(
                "a<|vision_start|>" + "<|image_pad|>".repeat(2) + "<|vision_end|>b" + video + "c" + video + "d<|vision_start|>"
                        + "<|image_pad|>".repeat(4) + "<|vision_end|>");
    }

    @Test
    void expandNamesCountMismatches() {
        assertThatThrownBy(() -> VisionPrompt.expand("<|image_pad|><|image_pad|>", List.of(input(1, 2, 2)), List.of()))
                .hasMessageContaining("2 image placeholder(s) but 1 image(s)");
        assertThatThrownBy(() -> VisionPrompt.expand("no media", List.of(input(1, 2, 2)), List.of()))
                .hasMessageContaining("0 image placeholder(s) but 1 image(s)");
    }
}
