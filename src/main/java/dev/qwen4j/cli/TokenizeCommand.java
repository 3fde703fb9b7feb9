package dev.qwen4j.cli;

import dev.qwen4j.format.gguf.GgufFile;
import dev.qwen4j.format.gguf.GgufTokenizer;
import dev.qwen4j.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints the token ids of a text as a JSON array (verification interface: keep the output stable). */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print token ids as a JSON array.")
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text to tokenize (special tokens recognised).")
    String text;

    @Option(names = "--decode", description = "Also print each id's text piece.")
    boolean pieces;

    @Override
    public Integer call() {
        Path dir = model.resolve();
        Tokenizer tok;
        if (GgufFile.looksLikeGguf(dir)) {
            // the store finds a split model's first part, which holds the tokenizer; it is copied out of the mapping
            try (dev.qwen4j.format.gguf.GgufStore store = dev.qwen4j.format.gguf.GgufStore.open(dir)) {
                tok = GgufTokenizer.read(store.file());
            }
        } else {
            tok = Tokenizer.fromModelDir(dir);
        }
        int[] ids = tok.encode(text);
        System.out.println(Arrays.toString(ids).replace(" ", ""));
        if (pieces) for (int id : ids) System.out.println(id + "\t" + Jsons.quote(tok.decode(new int[] {id})));
        return 0;
    }
}
