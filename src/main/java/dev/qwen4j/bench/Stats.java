package dev.qwen4j.bench;

/** Mean and sample standard deviation of repeated measurements. */
public record Stats(double mean, double stddev, double median, int n) {
    public static Stats of(double[] xs) {
        double sum = 0;
        for (double x : xs) sum += x;
        double mean = sum / xs.length;
        double ss = 0;
        for (double x : xs) ss += (x - mean) * (x - mean);
        double sd = xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0;
        double[] sorted = xs.clone();
        java.util.Arrays.sort(sorted);
        double med = sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return new Stats(mean, sd, med, xs.length);
    }

    @Override
    public String toString() {
        return String.format("%.2f ± %.2f", mean, stddev);
    }
}
