import Logging

/// Just enough JSON writing for log lines: escaped strings, and metadata values as JSON values.
///
/// Hand-written rather than JSONEncoder because a log handler runs on every thread that logs and
/// should not build an intermediate object graph per line.
enum JSONText {
    /// `value` as a quoted JSON string.
    static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A metadata value as JSON: numbers and booleans given as `.stringConvertible` stay numbers and
    /// booleans (so `"in_fps":29.8` can be summed by a collector); everything else is a string,
    /// dictionaries are objects (sorted keys), arrays are arrays.
    static func value(_ metadata: Logger.MetadataValue) -> String {
        switch metadata {
        case .string(let text):
            return quoted(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return String(number)
            case let number as Int64: return String(number)
            case let number as UInt64: return String(number)
            case let number as Int32: return String(number)
            case let number as Double where number.isFinite: return String(number)
            case let number as Float where number.isFinite: return String(number)
            case let flag as Bool: return flag ? "true" : "false"
            default: return quoted(convertible.description)
            }
        case .dictionary(let dictionary):
            return object(dictionary.sorted { $0.key < $1.key }.map { ($0.key, value($0.value)) })
        case .array(let array):
            return "[" + array.map(value).joined(separator: ",") + "]"
        }
    }

    /// `{"key":value,...}` from already-rendered values, in the given order.
    static func object(_ members: [(key: String, json: String)]) -> String {
        "{" + members.map { quoted($0.key) + ":" + $0.json }.joined(separator: ",") + "}"
    }
}
