package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubEnvironmentTest {
    @TempDir
    Path home;

    @Test
    void defaultsFollowHuggingfaceHub() {
        HubEnvironment env = HubEnvironment.read(Map.of(), home);

        assertThat(env.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(env.token()).isNull();
        assertThat(env.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(env.offline()).isFalse();
        assertThat(env.timeout()).isEqualTo(HubEnvironment.DEFAULT_TIMEOUT);
    }

    @Test
    void cacheComesFromHfHubCacheThenHfHomeThenXdgCacheHome() {
        assertThat(HubEnvironment.read(Map.of("XDG_CACHE_HOME", "/xdg"), home).cacheDir())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
        assertThat(HubEnvironment.read(Map.of("HF_HOME", "~/hf", "XDG_CACHE_HOME", "/xdg"), home).cacheDir())
                .isEqualTo(home.resolve("hf/hub"));
        assertThat(HubEnvironment.read(Map.of("HF_HUB_CACHE", "/models", "HF_HOME", "/hf"), home).cacheDir())
                .isEqualTo(Path.of("/models"));
        assertThat(HubEnvironment.read(Map.of("HUGGINGFACE_HUB_CACHE", "/legacy"), home).cacheDir())
                .isEqualTo(Path.of("/legacy"));
    }

    @Test
    void tokenComesFromTheEnvironmentBeforeTheTokenFile() throws IOException {
        Path hfHome = Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(hfHome.resolve("token"), "hf_from_file\n");

        assertThat(HubEnvironment.read(Map.of(), home).token()).isEqualTo("hf_from_file");
        assertThat(HubEnvironment.read(Map.of("HF_HUB_TOKEN", "hf_hub"), home).token()).isEqualTo("hf_hub");
        assertThat(HubEnvironment.read(Map.of("HF_TOKEN", " hf_env ", "HF_HUB_TOKEN", "hf_hub"), home).token())
                .isEqualTo("hf_env");
        assertThat(HubEnvironment.read(Map.of("HF_TOKEN", ""), home).token()).isEqualTo("hf_from_file");
    }

    @Test
    void tokenFileFollowsHfHomeAndHfTokenPath() throws IOException {
        Path custom = Files.createDirectories(home.resolve("custom"));
        Files.writeString(custom.resolve("token"), "hf_custom_home");
        Files.writeString(home.resolve("elsewhere"), "hf_token_path");

        assertThat(HubEnvironment.read(Map.of("HF_HOME", custom.toString()), home).token()).isEqualTo("hf_custom_home");
        assertThat(HubEnvironment.read(Map.of("HF_TOKEN_PATH", "~/elsewhere"), home).token()).isEqualTo("hf_token_path");
    }

    @Test
    void endpointOfflineAndTimeout() {
        HubEnvironment env = HubEnvironment.read(Map.of("HF_ENDPOINT", "https://hf-mirror.example",
                "HF_HUB_OFFLINE", "1", "HF_HUB_DOWNLOAD_TIMEOUT", "2.5"), home);

        assertThat(env.endpoint()).isEqualTo(URI.create("https://hf-mirror.example"));
        assertThat(env.offline()).isTrue();
        assertThat(env.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(HubEnvironment.read(Map.of("HF_HUB_OFFLINE", "0"), home).offline()).isFalse();
        assertThatThrownBy(() -> HubEnvironment.read(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "soon"), home))
                .hasMessageContaining("HF_HUB_DOWNLOAD_TIMEOUT");
    }
}
