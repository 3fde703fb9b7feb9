package dev.qwen4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The qwen4j command line. Each subcommand is its own class in this package. */
@Command(name = "qwen4j", mixinStandardHelpOptions = true, version = "qwen4j 0.1.0",
        description = "Run, serve and fine-tune Qwen3 models on the JVM.",
        subcommands = {RunCommand.class, ChatCommand.class, TokenizeCommand.class, LogitsCommand.class,
                InspectCommand.class, PullCommand.class, BenchCommand.class, PreprocessCommand.class, QuantizeCommand.class,
                ServeCommand.class, BenchServeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            // User mistakes and bad files get one clear line, not a stack trace.
            boolean usage = ex instanceof UsageError;
            line.getErr().println("qwen4j: error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (System.getenv("QWEN4J_DEBUG") != null) ex.printStackTrace(line.getErr());
            return usage ? 2 : 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
