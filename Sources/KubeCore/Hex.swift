/// Lowercase hexadecimal, two digits per byte: the digests in object names, idempotency keys,
/// the audit chain and signatures. (`String(format: "%02x")` per byte cost ~2 % of the
/// controller's CPU at 20 requests a second.)
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytes` as lowercase hex, e.g. `[0x0f, 0xa0]` → `"0fa0"`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
