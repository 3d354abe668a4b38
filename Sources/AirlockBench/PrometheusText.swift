import AirlockAdmission
import Foundation

/// Reads samples out of a Prometheus text page (no types or help needed here).
enum PrometheusText {
    /// Every sample of metric `name` (exactly: `name{...} value` or `name value`), with its labels.
    static func samples(_ name: String, in text: String) -> [(labels: [String: String], value: Double)] {
        var found: [(labels: [String: String], value: Double)] = []
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            var labels: [String: String] = [:]
            var valueText = rest
            if rest.first == "{" {
                guard let close = rest.lastIndex(of: "}") else { continue }
                labels = Self.labels(String(rest[rest.index(after: rest.startIndex)..<close]))
                valueText = rest[rest.index(after: close)...]
            } else if rest.first != " " {
                continue  // a longer name
            }
            guard let value = Double(valueText.trimmingCharacters(in: .whitespaces).split(separator: " ")[0]) else {
                continue
            }
            found.append((labels, value))
        }
        return found
    }

    static func labels(_ text: String) -> [String: String] {
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return labels
    }
}

/// Admission webhook calls as the API server and as the controller saw them: totals so far
/// of the time spent and the calls, by webhook (`mutating`, `validating`).
struct WebhookTimes {
    var seconds: [String: Double] = [:]
    var calls: [String: Double] = [:]

    /// The API server's view (`apiserver_admission_webhook_admission_duration_seconds`) of
    /// Airlock's two webhooks.
    static func apiServer(_ text: String) -> WebhookTimes {
        let names = [
            WebhookConfigurations.mutatingWebhookName: "mutating",
            WebhookConfigurations.validatingWebhookName: "validating",
        ]
        var times = WebhookTimes()
        let metric = "apiserver_admission_webhook_admission_duration_seconds"
        for (labels, value) in PrometheusText.samples(metric + "_sum", in: text) {
            guard let webhook = labels["name"].flatMap({ names[$0] }) else { continue }
            times.seconds[webhook, default: 0] += value
        }
        for (labels, value) in PrometheusText.samples(metric + "_count", in: text) {
            guard let webhook = labels["name"].flatMap({ names[$0] }) else { continue }
            times.calls[webhook, default: 0] += value
        }
        return times
    }

    /// The controller's view (`airlock_admission_duration_seconds`): from a request's arrival
    /// to its answer.
    static func controller(_ text: String) -> WebhookTimes {
        var times = WebhookTimes()
        for (labels, value) in PrometheusText.samples("airlock_admission_duration_seconds_sum", in: text) {
            times.seconds[labels["webhook"] ?? "?", default: 0] += value
        }
        for (labels, value) in PrometheusText.samples("airlock_admission_duration_seconds_count", in: text) {
            times.calls[labels["webhook"] ?? "?", default: 0] += value
        }
        return times
    }

    /// Mean milliseconds per call since `before`, by webhook.
    func meanMilliseconds(since before: WebhookTimes) -> [String: Double] {
        var means: [String: Double] = [:]
        for (webhook, calls) in self.calls {
            let count = calls - (before.calls[webhook] ?? 0)
            guard count > 0 else { continue }
            means[webhook] = (seconds[webhook, default: 0] - (before.seconds[webhook] ?? 0)) * 1000 / count
        }
        return means
    }
}
