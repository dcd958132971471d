// libFuzzer target over the import line parser (ExportLine.parse), built by scripts/fuzz with
// `swiftc -sanitize=fuzzer,address`. Any crash, any sanitizer report, or a refusal that does
// not name its line with a reason, stops the fuzzer with the input that caused it.

@_cdecl("LLVMFuzzerTestOneInput")
public func importLineFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try ExportLine.parse(bytes, line: 7)
    } catch {
        precondition(error.line == 7 && !error.reason.isEmpty, "a refusal must name its line and say why")
    }
    return 0
}
