package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** transformers' {@code strftime_now} global, against Python's strftime for a fixed local time. */
class StrftimeNowTest {

    private static final Path EXPECTED = Path.of("src/test/resources/template/strftime.json");

    @TestFactory
    Stream<DynamicTest> formatsLikePythonStrftime() throws IOException {
        Map<String, Object> fixture = new ObjectMapper().readValue(EXPECTED.toFile(), new TypeReference<>() {});
        LocalDateTime time = LocalDateTime.parse((String) fixture.get("time"));
        @SuppressWarnings("unchecked")
        List<Map<String, String>> cases = (List<Map<String, String>>) fixture.get("cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("format"), () ->
                assertThat(StrftimeFormat.format(c.get("format"), time)).isEqualTo(c.get("expected"))));
    }

    @Test
    void templatesReadTheConfiguredClockInItsZone() {
        ZoneId zone = ZoneId.of("Asia/Tokyo");
        Clock clock = Clock.fixed(LocalDateTime.of(2025, 12, 31, 23, 30).toInstant(ZoneOffset.ofHours(9)), zone);
        ChatTemplate template = new ChatTemplate("Today Date: {{ strftime_now('%d %b %Y') }}", Map.of(), clock);
        assertThat(template.render(List.of(), null, Map.of())).isEqualTo("Today Date: 31 Dec 2025");
    }
}
