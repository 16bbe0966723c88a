extension PhoneNumber {
    /// Masks every phone number in free text, whatever its format: `+819012345678`, `090-1234-5678`,
    /// `03 1234 5678`, `(03) 1234-5678`, `+81 90.1234.5678`, full-width `０９０１２３４５６７８`, and any run of 8 or more
    /// digits. Dates and times (`2026-12-03`, `12:08:22`) stay: a separated group counts as a number only when it
    /// starts like one (`0`, `+` or `(`).
    public static func maskNumbers(in text: String) -> String {
        var result = ""
        var candidate = ""          // the text of the group so far, separators included
        var digits = ""             // its digits as ASCII, with a leading + when there is one
        var separated = false
        var pendingSeparator = ""   // at most two in a row, as in `(03) 1234`
        func flush() {
            let looksLikeNumber = candidate.first.map { $0 == "+" || $0 == "(" || $0.wholeNumberValue == 0 } ?? false
            let count = digits.filter(\.isNumber).count
            if count >= 8 && (!separated || looksLikeNumber) { result += mask(digits) } else { result += maskLongRuns(candidate) }
            candidate = ""
            digits = ""
            separated = false
            result += pendingSeparator
            pendingSeparator = ""
        }
        for c in text {
            if let value = c.wholeNumberValue, c.isNumber, value >= 0, value <= 9 {
                if !pendingSeparator.isEmpty {
                    candidate += pendingSeparator
                    separated = true
                    pendingSeparator = ""
                }
                candidate.append(c)
                digits.append(Character(String(value)))
            } else if (c == "+" || c == "＋" || c == "(") && candidate.isEmpty {
                candidate.append(c)
                if c != "(" { digits.append("+") }
            } else if !candidate.isEmpty && pendingSeparator.count < 2 && Self.separators.contains(c) {
                pendingSeparator.append(c)
            } else {
                if !candidate.isEmpty { flush() }
                result.append(c)
            }
        }
        flush()
        return result
    }

    /// Runs of 8 or more digits inside a group that is not a number as a whole (`12345 67890123`).
    private static func maskLongRuns(_ group: String) -> String {
        var result = "", run = ""
        for c in group {
            if c.isNumber { run.append(c); continue }
            result += run.count >= 8 ? mask(run) : run
            run = ""
            result.append(c)
        }
        return result + (run.count >= 8 ? mask(run) : run)
    }

    private static let separators: Set<Character> = ["-", " ", ".", "(", ")", "‐", "−", "ー", "－", "　"]
}
