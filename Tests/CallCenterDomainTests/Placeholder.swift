import Testing
@Test func placeholderDomain() {}
