import Foundation

/// Several runs of one figure: the median and the range.
struct Spread {
    let values: [Double]

    init(_ values: [Double]) { self.values = values.sorted() }

    var median: Double {
        guard !values.isEmpty else { return 0 }
        let mid = values.count / 2
        return values.count.isMultiple(of: 2) ? (values[mid - 1] + values[mid]) / 2 : values[mid]
    }

    /// "median M (min–max A–B)" with `format` for each number.
    func text(_ format: String) -> String {
        guard let low = values.first, let high = values.last else { return "-" }
        return "median \(String(format: format, median)) (min–max \(String(format: format, low))–\(String(format: format, high)))"
    }
}
