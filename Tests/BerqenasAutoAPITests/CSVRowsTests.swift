import Testing

@testable import BerqenasAutoAPI

/// CSV answers open safely in a spreadsheet: text that would run as a formula is shown as text.
struct CSVRowsTests {
    @Test func formulaTextIsNeutralisedAndOtherTextIsNot() {
        for formula in ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            #expect(CSVRows.neutralized(formula) == "'" + formula, "\(formula)")
        }
        for plain in ["plain", "a=b", "", "'quoted", "1-2"] {
            #expect(CSVRows.neutralized(plain) == plain, "\(plain)")
        }
    }
}
