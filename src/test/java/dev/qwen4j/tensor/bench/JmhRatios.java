package dev.qwen4j.tensor.bench;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the kernel JMH benchmarks and prints each variant's speed-up over its scalar twin (the method
 * named {@code scalar}, or {@code <kernel>_scalar}) measured in the same run:
 * <pre>
 * ./mvnw -q -o test-compile
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *      dev.qwen4j.tensor.bench.JmhRatios [regex]      (default: every *Benchmark class)
 * </pre>
 */
public final class JmhRatios {
    private JmhRatios() {}

    public static void main(String[] args) throws RunnerException {
        String include = args.length > 0 ? args[0] : "Benchmark";
        Collection<RunResult> results = new Runner(new OptionsBuilder().include(include).build()).run();
        // key: class + params → (method → score, lower is better: all benchmarks report time per call)
        Map<String, Map<String, Double>> groups = new TreeMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            String full = p.getBenchmark();
            String cls = full.substring(0, full.lastIndexOf('.'));
            String method = full.substring(full.lastIndexOf('.') + 1);
            StringBuilder key = new StringBuilder(cls.substring(cls.lastIndexOf('.') + 1));
            for (String k : p.getParamsKeys()) key.append(' ').append(k).append('=').append(p.getParam(k));
            groups.computeIfAbsent(key.toString(), x -> new TreeMap<>()).put(method, r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("speed-up over the scalar twin (same run, time per call):");
        groups.forEach((key, methods) -> methods.forEach((method, score) -> {
            String kernel = method.contains("_") ? method.substring(0, method.indexOf('_')) : "";
            Double scalar = methods.get(kernel.isEmpty() ? "scalar" : kernel + "_scalar");
            if (scalar == null || method.endsWith("scalar")) return;
            System.out.printf("  %-45s %-16s %10.3f  %6.1fx%n", key, method, score, scalar / score);
        }));
    }
}
