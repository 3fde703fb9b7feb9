package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorConfigTest {
    @TempDir
    Path tmp;

    @Test
    void readsThePublishedQwen3VlConfigs() {
        ProcessorConfig img = ProcessorConfig.readImage(Golden.model("tiny-qwen3-vl"));
        assertThat(img.minPixels()).isEqualTo(65536);
        assertThat(img.maxPixels()).isEqualTo(16777216);
        assertThat(img.factor()).isEqualTo(32);
        assertThat(img.patchDim()).isEqualTo(1536);
        assertThat(img.mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(img.rescaleFactor()).isEqualTo(1 / 255.0);
        ProcessorConfig vid = ProcessorConfig.readVideo(Golden.model("tiny-qwen3-vl"));
        assertThat(vid.minPixels()).isEqualTo(4096);
        assertThat(vid.maxPixels()).isEqualTo(25165824);
        assertThat(vid.fps()).isEqualTo(2);
        assertThat(vid.minFrames()).isEqualTo(4);
        assertThat(vid.maxFrames()).isEqualTo(768);
        assertThat(vid.doSampleFrames()).isTrue();
    }

    @Test
    void legacyPixelKeysAndClipConstantsAreRead() throws Exception {
        Files.writeString(tmp.resolve(ProcessorConfig.IMAGE_FILE), """
                {"min_pixels": 3136, "max_pixels": 12845056, "patch_size": 14, "merge_size": 2, "temporal_patch_size": 2,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711]}""");
        ProcessorConfig c = ProcessorConfig.readImage(tmp);
        assertThat(c.minPixels()).isEqualTo(3136);
        assertThat(c.maxPixels()).isEqualTo(12845056);
        assertThat(c.factor()).isEqualTo(28);
        assertThat(c.mean()[0]).isEqualTo(0.48145466f);
        assertThat(c.std()[2]).isEqualTo(0.27577711f);
    }

    @Test
    void legacyPixelKeysOverrideSizeLikeTransformers() throws Exception {
        Files.writeString(tmp.resolve(ProcessorConfig.IMAGE_FILE), """
                {"size": {"shortest_edge": 65536, "longest_edge": 16777216}, "min_pixels": 4096, "max_pixels": 1048576}""");
        ProcessorConfig c = ProcessorConfig.readImage(tmp);
        assertThat(c.minPixels()).isEqualTo(4096);
        assertThat(c.maxPixels()).isEqualTo(1048576);
    }

    @Test
    void missingFileMeansPublishedDefaults() {
        assertThat(ProcessorConfig.readVideo(tmp).maxPixels()).isEqualTo(ProcessorConfig.qwen3VlVideoDefaults().maxPixels());
    }

    @Test
    void badFieldsNameTheFileAndField() throws Exception {
        Path f = Files.writeString(tmp.resolve(ProcessorConfig.IMAGE_FILE), "{\"patch_size\": \"16\"}");
        assertThatThrownBy(() -> ProcessorConfig.readImage(tmp)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("patch_size");
        Files.writeString(f, "{\"image_mean\": [0.5, 0.5]}");
        assertThatThrownBy(() -> ProcessorConfig.readImage(tmp)).hasMessageContaining("image_mean");
        Files.writeString(f, "{\"size\": {\"shortest_edge\": 100, \"longest_edge\": 10}}");
        assertThatThrownBy(() -> ProcessorConfig.readImage(tmp)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("min_pixels");
    }

    @Test
    void rescaleByMultiplyingEqualsDividingFor8BitInput() {
        // transformers multiplies by 1/255; the golden README states f32(f64(x)/255): both agree on all 256 values
        for (int v = 0; v < 256; v++) assertThat((float) (v * (1 / 255.0))).isEqualTo((float) (v / 255.0));
    }
}
