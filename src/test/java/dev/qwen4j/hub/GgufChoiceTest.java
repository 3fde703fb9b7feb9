package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GgufChoiceTest {
    private static final List<String> FILES = List.of("README.md", "params", "Qwen3-8B-Q4_K_M.gguf", "Qwen3-8B-Q4_K_S.gguf",
            "Qwen3-8B-Q8_0.gguf", "qwen3-8b-iq4_xs.gguf", "Q6_K/Qwen3-8B-Q6_K-00002-of-00002.gguf",
            "Q6_K/Qwen3-8B-Q6_K-00001-of-00002.gguf", "mmproj-F16.gguf");

    @Test
    void theTagEndsTheNameInAnyCase() {
        assertThat(GgufChoice.choose("r", "Q4_K_M", FILES)).containsExactly("Qwen3-8B-Q4_K_M.gguf");
        assertThat(GgufChoice.choose("r", "q8_0", FILES)).containsExactly("Qwen3-8B-Q8_0.gguf");
        assertThat(GgufChoice.choose("r", "IQ4_XS", FILES)).containsExactly("qwen3-8b-iq4_xs.gguf");
        // a vision projector of the same quantization is not a language model
        assertThat(GgufChoice.choose("r", "F16", List.of("mmproj-Qwen3-VL-8B-F16.gguf", "Qwen3-VL-8B-F16.gguf"))).containsExactly("Qwen3-VL-8B-F16.gguf");
    }

    @Test
    void aSplitModelComesWithAllItsPartsFirstPartFirst() {
        assertThat(GgufChoice.choose("r", "Q6_K", FILES))
                .containsExactly("Q6_K/Qwen3-8B-Q6_K-00001-of-00002.gguf", "Q6_K/Qwen3-8B-Q6_K-00002-of-00002.gguf");
        assertThatThrownBy(() -> GgufChoice.choose("r", "Q6_K", List.of("m-Q6_K-00001-of-00003.gguf", "m-Q6_K-00002-of-00003.gguf")))
                .hasMessageContaining("should have 3 parts, the repository lists 2");
    }

    @Test
    void aMissingOrAmbiguousTagListsWhatIsOffered() {
        assertThatThrownBy(() -> GgufChoice.choose("org/m", "Q5_K_M", FILES)).isInstanceOf(HubException.class)
                .hasMessageContaining("org/m has no GGUF file for 'Q5_K_M'")
                .hasMessageContaining("has: IQ4_XS, Q4_K_M, Q4_K_S, Q6_K, Q8_0"); // mmproj-F16 is no model
        // a partial tag is not a prefix match: Q4_K is neither Q4_K_M nor Q4_K_S
        assertThatThrownBy(() -> GgufChoice.choose("org/m", "Q4_K", FILES)).hasMessageContaining("no GGUF file for 'Q4_K'");
        assertThatThrownBy(() -> GgufChoice.choose("org/m", "Q8_0", List.of("a-Q8_0.gguf", "b-Q8_0.gguf")))
                .hasMessageContaining("names several GGUF models: a-Q8_0.gguf, b-Q8_0.gguf");
        assertThatThrownBy(() -> GgufChoice.choose("org/m", "Q8_0", List.of("model.safetensors")))
                .hasMessageContaining("(it holds no GGUF files)");
        assertThatThrownBy(() -> GgufChoice.choose("org/m", "Q*", FILES)).isInstanceOf(IllegalArgumentException.class);
    }
}
