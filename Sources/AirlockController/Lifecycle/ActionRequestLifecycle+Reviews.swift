import AirlockAPI
import AirlockPolicy
import Foundation

extension Draft {
    /// Judges the reviews without a verdict, stores the verdicts (one per reviewer and kind,
    /// bounded), counts the rejected ones, and plans each verdict's copy on its review and the
    /// announcement of verdicts the bounded list leaves out.
    mutating func judge(_ tally: ReviewTally) -> ReviewTallyResult {
        let result = tally.tally(observation.reviews.compactMap(\.candidate), recorded: status.reviews ?? [])
        status.reviews = result.records.isEmpty ? nil : result.records
        let judged = Dictionary(result.verdicts.map { ($0.review.name, $0.record) }) { first, _ in first }
        let stored = Dictionary(
            (request.status?.reviews ?? []).compactMap { record in record.review.map { ($0, record) } }
        ) { first, _ in first }
        let listed = Set(result.records.compactMap(\.review))
        let base = Announcements.base(of: request)
        var rejected = 0
        for review in observation.reviews {
            let verdict = judged[review.name] ?? stored[review.name]
            if (verdict?.counted ?? review.copy?.counted) == false { rejected += 1 }
            if let verdict {
                let copy = ActionReviewStatus(
                    counted: verdict.counted, reason: verdict.counted ? "Counted" : verdict.rejectedReason,
                    observedGeneration: review.generation)
                if review.copy?.counted != copy.counted || review.copy?.reason != copy.reason {
                    reviewStatuses[review.name] = copy
                }
            }
            if let verdict = judged[review.name], !listed.contains(review.name) {
                extraAnnouncements.append(Announcements.reviewAnnouncement(verdict, base: base))
            }
        }
        status.rejectedReviews = rejected > 0 ? rejected : nil
        return result
    }
}
