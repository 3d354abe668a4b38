import Foundation

/// What the self-bootstrapped webhook certificates must look like, and when they are renewed.
public struct WebhookTLSPolicy: Sendable, Equatable {
    /// DNS names the serving certificate must carry (the Service's names).
    public var dnsNames: [String]
    /// IP addresses the serving certificate must carry (`127.0.0.1` for a loopback test).
    public var ipAddresses: [String]
    /// Lifetime of a new CA.
    public var caValidity: Duration
    /// Lifetime of a new serving certificate (cut to the CA's remaining lifetime).
    public var servingValidity: Duration
    /// A certificate is renewed once less than this fraction of its lifetime remains.
    public var renewalFraction: Double
    /// How long a next CA sits in the bundle before it issues the served certificate, so
    /// every API server has seen the bundle that trusts it.
    public var caPromotionDelay: Duration

    public init(
        dnsNames: [String], ipAddresses: [String] = [], caValidity: Duration = .seconds(5 * 365 * 24 * 3600),
        servingValidity: Duration = .seconds(90 * 24 * 3600), renewalFraction: Double = 1.0 / 3.0,
        caPromotionDelay: Duration = .seconds(600)
    ) {
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.caValidity = caValidity
        self.servingValidity = servingValidity
        self.renewalFraction = renewalFraction
        self.caPromotionDelay = caPromotionDelay
    }

    /// The names of the Service `service` in `namespace` (`airlock-webhook.airlock-system.svc`
    /// and `….svc.cluster.local`) plus `extraDNSNames` and `ipAddresses`.
    public static func service(
        _ service: String = WebhookConfigurations.defaultServiceName, namespace: String,
        extraDNSNames: [String] = [], ipAddresses: [String] = []
    ) -> WebhookTLSPolicy {
        WebhookTLSPolicy(
            dnsNames: ["\(service).\(namespace).svc", "\(service).\(namespace).svc.cluster.local"] + extraDNSNames,
            ipAddresses: ipAddresses)
    }
}
