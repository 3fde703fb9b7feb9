package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@link ChatTemplate#fromModelDir} finds the template, and what it passes along from the tokenizer. */
class ChatTemplateFilesTest {

    private static final List<Map<String, Object>> HELLO = List.of(Map.of("role", "user", "content", "hello"));

    @TempDir
    Path dir;

    private String render(Path directory) {
        return ChatTemplate.fromModelDir(directory).render(HELLO, null, Map.of());
    }

    @Test
    void chatTemplateJsonWinsOverTokenizerConfig() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"from tokenizer_config\"}");
        Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"from chat_template.json\"}");
        assertThat(render(dir)).isEqualTo("from chat_template.json");
    }

    @Test
    void standaloneJinjaFileWinsOverBothJsonFiles() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"from tokenizer_config\"}");
        Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"from chat_template.json\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "from jinja {{ messages[0].content }}\n");
        assertThat(render(dir)).isEqualTo("from jinja hello");
    }

    @Test
    void tokenizerConfigTemplateListPicksTheDefaultEntry() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "default one"}]}""");
        assertThat(render(dir)).isEqualTo("default one");
    }

    @Test
    void aTemplateListWithoutDefaultIsAnError() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"rag\", \"template\": \"x\"}]}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDir(dir)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("none named \"default\"").hasMessageContaining("[rag]");
    }

    @Test
    void missingTemplateNamesEveryPlaceLookedAt() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDir(dir)).isInstanceOf(TemplateException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("chat_template.jinja")
                .hasMessageContaining("chat_template.json").hasMessageContaining("tokenizer_config.json");
    }

    @Test
    void specialTokensFromTheTokenizerAreTemplateVariables() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"chat_template": "[{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|{{ unk_token is defined }}]",
                 "bos_token": {"__type": "AddedToken", "content": "<s>"}, "eos_token": "</s>",
                 "pad_token": "<pad>", "unk_token": null}""");
        assertThat(render(dir)).isEqualTo("[<s>|</s>|<pad>|False]");
        assertThat(ChatTemplate.fromModelDir(dir).render(HELLO, null, Map.of("eos_token", "override")))
                .isEqualTo("[<s>|override|<pad>|False]");
    }

    @Test
    void qwen3FixtureExposesItsEndOfTurnToken() {
        ChatTemplate qwen3 = ChatTemplate.fromModelDir(Path.of("src/test/resources/golden/models/tiny-qwen3"));
        assertThat(new ChatTemplate(qwen3.source()).render(HELLO, null, Map.of()))
                .isEqualTo(qwen3.render(HELLO, null, Map.of()));
        assertThat(qwen3.source()).contains("enable_thinking");
    }
}
