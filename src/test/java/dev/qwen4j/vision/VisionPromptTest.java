package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

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
}
