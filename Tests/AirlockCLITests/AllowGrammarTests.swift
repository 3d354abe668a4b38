import AirlockAPI
import Testing

@testable import AirlockCLI

@Suite struct AllowGrammarTests {
    func rule(
        _ namespace: String?, _ group: String, _ resource: String, _ verbs: [String], _ names: [String]? = nil
    ) -> PermissionRule {
        PermissionRule(
            namespace: namespace, apiGroups: [group], resources: [resource], verbs: verbs, resourceNames: names)
    }

    @Test func theDocumentedExamples() throws {
        #expect(try AllowGrammar.parse("delete pods/db-0 -n prod") == [rule("prod", "", "pods", ["delete"], ["db-0"])])
        #expect(try AllowGrammar.parse("get,list pods -n prod") == [rule("prod", "", "pods", ["get", "list"])])
        #expect(
            try AllowGrammar.parse("patch deployments.apps/web -n prod")
                == [rule("prod", "apps", "deployments", ["patch"], ["web"])])
        #expect(try AllowGrammar.parse("get pods/log -n prod") == [rule("prod", "", "pods/log", ["get"])])
        #expect(try AllowGrammar.parse("get nodes") == [rule(nil, "", "nodes", ["get"])])
        #expect(
            try AllowGrammar.parse("get secrets/app-config -n prod")
                == [rule("prod", "", "secrets", ["get"], ["app-config"])])
    }

    @Test func moreForms() throws {
        // A named object's subresource.
        #expect(
            try AllowGrammar.parse("create pods/db-0/exec -n prod")
                == [rule("prod", "", "pods/exec", ["create"], ["db-0"])])
        // Several targets; names of one resource merge.
        #expect(
            try AllowGrammar.parse("delete pods/db-0,pods/db-1 configmaps/x --namespace=prod")
                == [
                    rule("prod", "", "pods", ["delete"], ["db-0", "db-1"]),
                    rule("prod", "", "configmaps", ["delete"], ["x"]),
                ])
        // A target without a name widens its resource to every object.
        #expect(try AllowGrammar.parse("get pods/db-0,pods -n prod") == [rule("prod", "", "pods", ["get"])])
        // Scope anywhere after the verbs; -A asks cluster-wide on purpose.
        #expect(try AllowGrammar.parse("get -n prod pods") == [rule("prod", "", "pods", ["get"])])
        #expect(try AllowGrammar.parse("list pods -A") == [rule(nil, "", "pods", ["list"])])
        // Custom resources with a group; duplicate verbs collapse.
        #expect(
            try AllowGrammar.parse("get,get widgets.example.com/w1 -n prod")
                == [rule("prod", "example.com", "widgets", ["get"], ["w1"])])
        #expect(
            try AllowGrammar.parse("get deployments.apps/scale -n p") == [
                rule("p", "apps", "deployments/scale", ["get"])
            ])
        #expect(
            try AllowGrammar.parse(["get nodes", "delete pods/x -n a"])
                == [rule(nil, "", "nodes", ["get"]), rule("a", "", "pods", ["delete"], ["x"])])
    }

    @Test(arguments: [
        ("", "--allow is empty"),
        ("delete", "name what to delete"),
        ("remove pods/db-0 -n prod", "unknown verb \"remove\""),
        ("* pods -n prod", "wildcards are never granted"),
        ("get * -n prod", "wildcards are never granted"),
        ("delete pods/db-0", "pods are namespaced: add -n NAMESPACE"),
        ("get nodes -n prod", "nodes are cluster-scoped: drop -n"),
        ("patch deployments/web -n prod", "deployments are in API group apps: write deployments.apps"),
        ("delete pod/db-0 -n prod", "write pods, not pod"),
        ("get deploy -n prod", "write deployments.apps, not deploy"),
        ("get widgets -n prod", "\"widgets\" is not a core resource"),
        ("get widgets.example.com", "scope unknown: add -n NAMESPACE"),
        ("create pods/db-0 -n prod", "create cannot be limited to one object"),
        ("deletecollection pods/db-0 -n prod", "deletecollection cannot be limited"),
        ("get pods -n Prod", "is not a namespace name"),
        ("get pods -n", "-n needs a namespace"),
        ("get pods -n a -A", "either -n NAMESPACE or -A"),
        ("get pods -n a -n b", "one namespace per --allow"),
        ("get pods --selector x -n a", "unknown flag --selector"),
        ("get pods//x -n a", "is not RESOURCE[.GROUP][/NAME][/SUBRESOURCE]"),
        ("get pods/a/b/c -n a", "is not RESOURCE[.GROUP][/NAME][/SUBRESOURCE]"),
        ("get Pods -n a", "is not a resource name"),
        ("get pods.apps -n a", "pods are in API group \"\": write pods"),
        ("get,,list pods -n a", "empty verb"),
    ])
    func badStringsSayWhatToFix(input: String, expected: String) {
        do {
            let rules = try AllowGrammar.parse(input)
            Issue.record("accepted \"\(input)\" as \(rules)")
        } catch {
            #expect(error.message.contains(expected), "\(input): \(error.message)")
            #expect(!error.message.contains("\n"), "one line")
        }
    }

    @Test func rulesWriteBackInTheGrammar() throws {
        for text in [
            "delete pods/db-0 -n prod", "get,list pods -n prod", "patch deployments.apps/web -n prod",
            "get pods/log -n prod", "get nodes", "get secrets/app-config -n prod", "create pods/db-0/exec -n prod",
            "list pods -A", "get widgets.example.com/w1 -n prod",
        ] {
            let rules = try AllowGrammar.parse(text)
            #expect(rules.map { AccessText.describe($0) } == [text])
            #expect(try AllowGrammar.parse(AccessText.describe(rules[0])) == rules)
        }
    }

    @Test func roles() throws {
        #expect(
            try RoleArgument.parse("ClusterRole/view -n prod")
                == TargetRoleRef(kind: .clusterRole, name: "view", namespace: "prod"))
        #expect(
            try RoleArgument.parse("clusterrole/view -A")
                == TargetRoleRef(kind: .clusterRole, name: "view", namespace: nil))
        #expect(
            try RoleArgument.parse("Role/deployer --namespace prod")
                == TargetRoleRef(kind: .role, name: "deployer", namespace: "prod"))
        for (input, expected) in [
            ("ClusterRole/view", "say where to bind it"), ("Role/x -A", "a Role lives in a namespace"),
            ("Group/x -n a", "Role or ClusterRole"), ("view -n a", "write KIND/NAME"), ("", "--role is empty"),
            ("ClusterRole/view -n a -A", "either -n NAMESPACE or -A"), ("ClusterRole/view prod", "unexpected \"prod\""),
        ] {
            #expect(throws: CLIUsageError.self, "\(input)") { try RoleArgument.parse(input) }
            do { _ = try RoleArgument.parse(input) } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
        #expect(
            AccessText.describe(TargetRoleRef(kind: .clusterRole, name: "view", namespace: "prod"))
                == "ClusterRole/view -n prod")
    }

    @Test func generatedNames() {
        let spec = ActionRequestSpec(
            reason: "r", duration: .init(seconds: 60), permissions: try! AllowGrammar.parse("delete pods/db-0 -n prod"))
        #expect(RequestNames.generateName(spec) == "delete-pods-db-0-")
        let role = ActionRequestSpec(
            reason: "r", duration: .init(seconds: 60),
            roleRef: TargetRoleRef(kind: .clusterRole, name: "system:view", namespace: "a"))
        #expect(RequestNames.generateName(role) == "clusterrole-system-view-")
    }
}
