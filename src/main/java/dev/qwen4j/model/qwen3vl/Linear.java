package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.TensorStore;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;

/** nn.Linear with bias: y = x·Wᵀ + b for n rows (every vision-tower projection has a bias). */
record Linear(WeightMatrix weight, float[] bias) {
    static Linear load(TensorStore s, String name, int out, int in) {
        return new Linear(s.matrix(name + ".weight", out, in), s.vector(name + ".bias", out));
    }

    int in() {
        return weight.cols();
    }

    int out() {
        return weight.rows();
    }

    void apply(float[] x, float[] y, int n) {
        weight.matmul(x, 0, y, 0, n);
        int o = out();
        Parallel.forRange(n, 16, (from, to) -> {
            for (int t = from; t < to; t++) Ops.addInPlace(y, t * o, bias, 0, o);
        });
    }
}
