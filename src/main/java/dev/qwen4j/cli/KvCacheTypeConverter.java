package dev.qwen4j.cli;

import dev.qwen4j.tensor.DType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses --kv-cache-dtype: f32 or bf16, any case. */
final class KvCacheTypeConverter implements ITypeConverter<DType> {
    @Override
    public DType convert(String value) {
        DType t = DType.parse(value);
        if (t != DType.F32 && t != DType.BF16) {
            throw new TypeConversionException("'" + value + "' is not a KV cache dtype (supported: f32, bf16)");
        }
        return t;
    }
}
