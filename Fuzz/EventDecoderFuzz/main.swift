// libFuzzer target for the event decoder: every input topic's bytes go through `CloudEventCodec.decode`, so no
// input may trap it. `scripts/fuzz` builds it with `-sanitize=fuzzer -D FUZZING`; an ordinary build makes an
// executable that only says how to run it.
import EventContract
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func eventDecoderFuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let start else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    // Structured mode: the whole input is the message value.
    _ = try? CloudEventCodec.decode(value: bytes, headers: [])
    // Binary mode: the input split at its first two zero bytes into ce_type, ce_id and the value, with the other
    // attributes fixed, so the fuzzer reaches the payload decoders of real types.
    let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    if parts.count == 3 {
        let headers: [(key: String, value: [UInt8]?)] = [
            ("ce_specversion", Array("1.0".utf8)), ("ce_type", Array(parts[0])), ("ce_id", Array(parts[1])),
            ("ce_source", Array("/fuzz".utf8)), ("ce_time", Array("2026-01-01T00:00:00Z".utf8)),
            ("ce_tenantid", Array("t".utf8)), ("content-type", Array("application/json".utf8)),
        ]
        _ = try? CloudEventCodec.decode(value: Array(parts[2]), headers: headers)
    }
    return 0
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif

// The program itself: libFuzzer's driver with the target above (its `main` is not linked: SwiftPM's is).
#if FUZZING
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argumentCount, &arguments) { start, size in eventDecoderFuzz(start, size) })
#else
print("EventDecoderFuzz: built without libFuzzer; run scripts/fuzz (make fuzz)")
exit(2)
#endif
