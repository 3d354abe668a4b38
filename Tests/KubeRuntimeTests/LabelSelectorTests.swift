import KubeRuntime
import Testing

@Suite struct LabelSelectorTests {
    typealias Requirement = LabelSelector.Requirement

    func parse(_ text: String) throws -> [Requirement] {
        try LabelSelector(parsing: text).requirements
    }

    @Test func parsesEveryOperator() throws {
        #expect(try parse("a=b") == [Requirement(key: "a", operator: .equals, values: ["b"])])
        #expect(try parse("a==b") == [Requirement(key: "a", operator: .equals, values: ["b"])])
        #expect(try parse("a!=b") == [Requirement(key: "a", operator: .notEquals, values: ["b"])])
        #expect(try parse("a") == [Requirement(key: "a", operator: .exists)])
        #expect(try parse("!a") == [Requirement(key: "a", operator: .doesNotExist)])
        #expect(try parse("a in (x,y)") == [Requirement(key: "a", operator: .in, values: ["x", "y"])])
        #expect(try parse("a notin (x)") == [Requirement(key: "a", operator: .notIn, values: ["x"])])
    }

    @Test func parsesSeveralRequirementsWithWhitespace() throws {
        let requirements = try parse("  tier = web , env in ( prod , staging ) ,!legacy,  app.kubernetes.io/name!=x ")
        #expect(
            requirements == [
                Requirement(key: "tier", operator: .equals, values: ["web"]),
                Requirement(key: "env", operator: .in, values: ["prod", "staging"]),
                Requirement(key: "legacy", operator: .doesNotExist),
                Requirement(key: "app.kubernetes.io/name", operator: .notEquals, values: ["x"]),
            ])
    }

    @Test func emptyValuesAreAllowed() throws {
        #expect(try parse("a=") == [Requirement(key: "a", operator: .equals, values: [""])])
        #expect(
            try parse("a=,b") == [
                Requirement(key: "a", operator: .equals, values: [""]), Requirement(key: "b", operator: .exists),
            ])
        #expect(try parse("a in (x,)") == [Requirement(key: "a", operator: .in, values: ["x", ""])])
    }

    @Test func emptyAndBlankSelectorsMatchEverything() throws {
        #expect(try LabelSelector(parsing: "").isEverything)
        #expect(try LabelSelector(parsing: "   ").isEverything)
        #expect(LabelSelector.everything.matches(nil))
        #expect(LabelSelector.everything.matches(["a": "b"]))
    }

    @Test func keywordsAreValuesAfterEquals() throws {
        #expect(try parse("a=in") == [Requirement(key: "a", operator: .equals, values: ["in"])])
    }

    @Test func descriptionIsCanonicalAndParsesBack() throws {
        let selector = try LabelSelector(parsing: " a == b,c  in (x , y),!d, e,f notin (z), g!=h ")
        #expect(selector.description == "a=b,c in (x,y),!d,e,f notin (z),g!=h")
        #expect(try LabelSelector(parsing: selector.description) == selector)
    }

    @Test func matchLabelsBuildsEqualities() {
        let selector = LabelSelector(matchLabels: ["b": "2", "a": "1"])
        #expect(selector.description == "a=1,b=2")
        #expect(selector.matches(["a": "1", "b": "2", "c": "3"]))
        #expect(!selector.matches(["a": "1"]))
    }

    @Test(
        arguments: [
            ("a=b", ["a": "b"], true),
            ("a=b", ["a": "c"], false),
            ("a=b", [:], false),
            ("a!=b", ["a": "c"], true),
            ("a!=b", [:], true),
            ("a!=b", ["a": "b"], false),
            ("a", ["a": ""], true),
            ("a", ["b": "a"], false),
            ("!a", [:], true),
            ("!a", ["a": "x"], false),
            ("a in (x,y)", ["a": "y"], true),
            ("a in (x,y)", ["a": "z"], false),
            ("a in (x,y)", [:], false),
            ("a notin (x,y)", ["a": "z"], true),
            ("a notin (x,y)", [:], true),
            ("a notin (x,y)", ["a": "x"], false),
            ("a=b,c", ["a": "b", "c": "1"], true),
            ("a=b,c", ["a": "b"], false),
            ("a=", ["a": ""], true),
            ("a=", [:], false),
        ] as [(String, [String: String], Bool)])
    func matches(selector: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(labels) == expected)
    }

    @Test func noLabelsAreEmptyLabels() throws {
        #expect(try LabelSelector(parsing: "!a").matches(nil))
        #expect(try !LabelSelector(parsing: "a").matches(nil))
    }

    @Test(arguments: [
        ("a=b,", "expected a label key"),
        (",a", "expected a label key"),
        ("a,,b", "expected a label key"),
        ("!", "expected a label key"),
        ("!a=b", "expected ',' or end of input"),
        ("a in ()", "must not be empty"),
        ("a in x", "expected '(' after 'in'"),
        ("a notin (x", "expected ',' or ')'"),
        ("a in (x y)", "expected ',' or ')'"),
        ("a in (x,(y))", "expected a label value"),
        ("a b", "expected an operator after key 'a'"),
        ("a=b c", "expected ',' or end of input"),
        ("a>1", "unsupported operator '>'"),
        ("a<1", "unsupported operator '<'"),
        ("a=(b)", "expected a label value"),
        ("=b", "expected a label key"),
        ("in=b", "keyword 'in'"),
        ("-a=b", "must start and end with a letter or digit"),
        ("a_=b", "must start and end with a letter or digit"),
        ("a$b=c", "only letters, digits"),
        ("a/b/c=d", "at most one '/'"),
        ("/a=b", "prefix: must not be empty"),
        ("a/=b", "the name must not be empty"),
        ("Example.COM/a=b", "prefix: must be a lowercase DNS subdomain"),
        ("ex..com/a=b", "prefix: must be a lowercase DNS subdomain"),
        ("a=-x", "invalid label value '-x'"),
        ("a in (ok,bad!)", "expected ',' or ')'"),
        ("a in (ok,bad.)", "invalid label value 'bad.'"),
    ])
    func rejectsMalformedSelectors(text: String, message: String) {
        let error = #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: text) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.selector == text)
    }

    @Test func lengthLimits() throws {
        let name63 = String(repeating: "n", count: 63)
        #expect(try parse("\(name63)=\(name63)").count == 1)
        #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: "\(name63)n=x") }
        #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: "a=\(name63)n") }
        let prefix253 = Array(repeating: String(repeating: "p", count: 63), count: 4).joined(separator: ".")
        #expect(prefix253.count == 255)
        #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: "\(prefix253)/a") }
        let prefixOK = String(prefix253.dropLast(2))
        #expect(try parse("\(prefixOK)/a").count == 1)
    }

    @Test func errorsSayWhere() {
        do throws(LabelSelector.ParseError) {
            _ = try LabelSelector(parsing: "a=b, c d")
            Issue.record("expected an error")
        } catch {
            #expect(error.position == 7)
            #expect(
                error.description
                    == "invalid label selector \"a=b, c d\" at offset 7: expected an operator after key 'c', found 'd'")
        }
    }
}
