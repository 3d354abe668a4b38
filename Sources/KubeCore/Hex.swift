/// Lowercase hexadecimal, two digits per byte: the digests in object names, idempotency keys,
/// the audit chain and signatures. (`String(format: "%02x")` per byte cost ~2 % of the
/// controller's CPU at 20 requests a second.)
public enum Hex {
    /// `bytes` as lowercase hex, e.g. `[0x0f, 0xa0]` → `"0fa0"`. Inlinable, so that each
    /// caller's sequence type (a digest, its prefix) is specialized rather than iterated
    /// through the generic runtime.
    @inlinable
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0f))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lowercase hex digit of `value` (0–15).
    @inlinable
    static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }
}
