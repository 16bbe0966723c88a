/// A local helper process or port that could not be had.
public struct LocalProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
