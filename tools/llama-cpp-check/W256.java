// Writes the 256-wide, 2-layer random Qwen3 model KQuantModelTest uses (so Q4_K_M really mixes Q4_K and
// Q6_K), plus the tiny-qwen3 tokenizer files so the GGUF carries a tokenizer llama.cpp can load.
// java -cp target/classes:$(cat target/runtime-classpath.txt) tools/llama-cpp-check/W256.java OUT_DIR
import dev.qwen4j.bench.SyntheticModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

public class W256 {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        SyntheticModel.write(new SyntheticModel.Shape("w256", 2, 256, 2, 1, 512, true), dir);
        Path tok = Path.of("src/test/resources/golden/models/tiny-qwen3");
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            Files.copy(tok.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("wrote " + dir);
    }
}
