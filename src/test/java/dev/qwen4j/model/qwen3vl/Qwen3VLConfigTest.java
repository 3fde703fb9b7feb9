package dev.qwen4j.model.qwen3vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** config.json parsing for the published Qwen3-VL layout (spec §4.1, §7.2) and its errors. */
class Qwen3VLConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Qwen3-VL-2B-Instruct's config (v4.57 spelling), tie_word_embeddings only at the top level. */
    private static ObjectNode twoB() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"model_type": "qwen3_vl", "image_token_id": 151655, "video_token_id": 151656,
                 "vision_start_token_id": 151652, "vision_end_token_id": 151653, "tie_word_embeddings": true,
                 "text_config": {"model_type": "qwen3_vl_text", "hidden_size": 2048, "intermediate_size": 6144,
                   "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
                   "vocab_size": 151936, "max_position_embeddings": 262144, "rms_norm_eps": 1e-6, "rope_theta": 5000000,
                   "rope_scaling": {"rope_type": "default", "mrope_section": [24, 20, 20], "mrope_interleaved": true}},
                 "vision_config": {"depth": 24, "hidden_size": 1024, "intermediate_size": 4096, "num_heads": 16,
                   "out_hidden_size": 2048, "deepstack_visual_indexes": [5, 11, 17], "hidden_act": "gelu_pytorch_tanh",
                   "num_position_embeddings": 2304, "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2}}
                """);
    }

    private static Qwen3VLConfig read(ObjectNode n) {
        return Qwen3VLConfig.read(new ConfigReader(Path.of("config.json"), n));
    }

    @Test
    void readsThePublished2BConfig() throws Exception {
        Qwen3VLConfig c = read(twoB());
        assertThat(c.text().hiddenSize()).isEqualTo(2048);
        assertThat(c.text().tieWordEmbeddings()).as("inherited from the top level").isTrue();
        assertThat(c.text().rope().theta()).isEqualTo(5_000_000.0);
        assertThat(c.text().rope().mropeSection()).containsExactly(24, 20, 20);
        assertThat(c.text().numExperts()).isZero();
        assertThat(c.vision().headDim()).isEqualTo(64);
        assertThat(c.vision().mergedDim()).isEqualTo(4096);
        assertThat(c.vision().positionGridSide()).isEqualTo(48);
        assertThat(c.vision().deepstackVisualIndexes()).containsExactly(5, 11, 17);
        assertThat(c.imageTokenId()).isEqualTo(151655);
    }

    @Test
    void readsTheV5RopeParametersSpelling() throws Exception {
        ObjectNode n = twoB();
        ObjectNode text = (ObjectNode) n.get("text_config");
        text.remove("rope_theta");
        text.remove("rope_scaling");
        text.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 5000000)
                .put("mrope_interleaved", true).putArray("mrope_section").add(24).add(20).add(20);
        Qwen3VLConfig c = read(n);
        assertThat(c.text().rope().theta()).isEqualTo(5_000_000.0);
        assertThat(c.text().rope().mropeSection()).containsExactly(24, 20, 20);
    }

    @Test
    void moeTextConfigIsDetectedFromTheOuterModelType() throws Exception {
        ObjectNode n = twoB();
        n.put("model_type", "qwen3_vl_moe");
        ObjectNode text = (ObjectNode) n.get("text_config");
        text.remove("model_type");
        text.put("num_experts", 128).put("num_experts_per_tok", 8).put("moe_intermediate_size", 768);
        Qwen3VLConfig c = read(n);
        assertThat(c.text().modelType()).isEqualTo("qwen3_vl_moe_text");
        assertThat(c.text().numExperts()).isEqualTo(128);
        assertThat(c.text().isSparseLayer(0)).isTrue();
    }

    @Test
    void errorsNameTheField() throws Exception {
        ObjectNode noVision = twoB();
        noVision.remove("vision_config");
        assertThatThrownBy(() -> read(noVision)).isInstanceOf(ModelFormatException.class).hasMessageContaining("'vision_config' is required");
        ObjectNode wrongOut = twoB();
        ((ObjectNode) wrongOut.get("vision_config")).put("out_hidden_size", 4096);
        assertThatThrownBy(() -> read(wrongOut)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("vision_config.out_hidden_size").hasMessageContaining("2048");
        ObjectNode noMrope = twoB();
        ((ObjectNode) noMrope.get("text_config")).remove("rope_scaling");
        assertThatThrownBy(() -> read(noMrope)).isInstanceOf(ModelFormatException.class).hasMessageContaining("mrope_section");
        ObjectNode badDeepstack = twoB();
        ((ObjectNode) badDeepstack.get("vision_config")).putArray("deepstack_visual_indexes").add(30);
        assertThatThrownBy(() -> read(badDeepstack)).isInstanceOf(ModelFormatException.class).hasMessageContaining("deepstack_visual_indexes");
    }
}
