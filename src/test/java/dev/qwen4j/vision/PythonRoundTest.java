package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PythonRoundTest {
    @Test
    void roundIsHalfToEven() {
        assertThat(PythonRound.round(22.5)).isEqualTo(22);
        assertThat(PythonRound.round(23.5)).isEqualTo(24);
        assertThat(PythonRound.round(10.5)).isEqualTo(10);
        assertThat(PythonRound.round(-0.5)).isEqualTo(0);
        assertThat(PythonRound.round(2.5000001)).isEqualTo(3);
    }

    /** Python: f"{x:.1f}" rounds the exact binary value; values from the spec's pitfall list. */
    @Test
    void format1fMatchesPython() {
        assertThat(PythonRound.format1f(0.25)).isEqualTo("0.2");
        assertThat(PythonRound.format1f(2.25)).isEqualTo("2.2");
        assertThat(PythonRound.format1f(0.35)).isEqualTo("0.3");
        assertThat(PythonRound.format1f(0.45)).isEqualTo("0.5");
        assertThat(PythonRound.format1f(0.05)).isEqualTo("0.1");
        assertThat(PythonRound.format1f(12.0)).isEqualTo("12.0");
        assertThat(PythonRound.format1f(0.0)).isEqualTo("0.0");
        assertThat(PythonRound.format1f(-0.04)).isEqualTo("-0.0");
        assertThat(PythonRound.format1f(1234.96)).isEqualTo("1235.0");
    }
}
