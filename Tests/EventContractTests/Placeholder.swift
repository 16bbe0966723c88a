import Testing
@Test func placeholderContract() {}
