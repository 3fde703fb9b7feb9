package dev.qwen4j.cli;

import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.Qwen3Runtime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes the last prompt position's logits as raw little-endian float32 (verification interface). */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the last position's logits (vocab_size float32, little-endian) to a file.")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    QuantizeOption quantize;

    @Mixin
    PromptOptions prompt;

    @Option(names = "--output", required = true, paramLabel = "FILE")
    Path output;

    @Override
    public Integer call() throws IOException {
        try (Qwen3Runtime rt = Qwen3Runtime.open(model.resolve(), quantize.type()); Generator g = rt.newGenerator()) {
            float[] logits = prompt.hasMedia() ? g.prefill(prompt.multimodal(rt), GenerationListener.NONE)
                    : g.prefill(prompt.ids(rt), GenerationListener.NONE);
            ByteBuffer buf = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(logits);
            try (FileChannel ch = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (buf.hasRemaining()) ch.write(buf);
            }
            System.err.println("wrote " + logits.length + " logits to " + output);
        }
        return 0;
    }
}
