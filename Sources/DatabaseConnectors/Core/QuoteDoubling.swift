extension String {
    /// The text with every `mark` byte (an ASCII quote character) doubled, as identifier and literal quoting
    /// need; text without one (nearly every name) is returned as it is, with no copy.
    func doublingEvery(_ mark: Character) -> String {
        guard let byte = mark.asciiValue, utf8.contains(byte) else { return self }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 4)
        for unit in utf8 {
            bytes.append(unit)
            if unit == byte { bytes.append(unit) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
