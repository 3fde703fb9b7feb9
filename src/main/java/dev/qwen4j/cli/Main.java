package dev.qwen4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The qwen4j command line. Each subcommand is its own class in this package. */
@Command(name = "qwen4j", mixinStandardHelpOptions = true, version = "qwen4j 0.1.0",
        description = "Run, serve and fine-tune Qwen3 models on the JVM.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
