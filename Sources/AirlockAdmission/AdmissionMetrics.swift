import Metrics

/// What each webhook answered and how long it took, from the request's arrival to its answer:
/// with `failurePolicy: Fail`, every create waits for it, so its latency and its errors are
/// the ones to watch (the API server's own view is
/// `apiserver_admission_webhook_admission_duration_seconds`).
///
/// - `airlock_admission_requests_total{webhook, result}`: `allowed`, `denied`, or `error` (an
///   AdmissionReview that could not be read; answered 400).
/// - `airlock_admission_duration_seconds{webhook}`: a histogram.
struct AdmissionMetrics: Sendable {
    private let allowed: Counter
    private let denied: Counter
    private let failed: Counter
    private let duration: Metrics.Timer

    init(webhook: AdmissionHandler.Webhook) {
        func requests(_ result: String) -> Counter {
            Counter(
                label: "airlock_admission_requests_total",
                dimensions: [("webhook", webhook.rawValue), ("result", result)])
        }
        allowed = requests("allowed")
        denied = requests("denied")
        failed = requests("error")
        duration = Metrics.Timer(
            label: "airlock_admission_duration_seconds", dimensions: [("webhook", webhook.rawValue)],
            preferredDisplayUnit: .seconds)
    }

    /// Counts `answer` and records the time since `start`.
    func record(_ answer: AdmissionHandler.HTTPAnswer, since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = start.duration(to: .now).components
        duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        if answer.status != 200 {
            failed.increment()
        } else if answer.review.response?.allowed == true {
            allowed.increment()
        } else {
            denied.increment()
        }
    }
}
