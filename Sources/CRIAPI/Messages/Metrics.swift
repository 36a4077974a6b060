// Pod metrics in Prometheus terms (ListMetricDescriptors, ListPodSandboxMetrics).

public struct ListMetricDescriptorsRequest: CRIMessage {
    public init() {}
}

public struct ListMetricDescriptorsResponse: CRIMessage {
    @Field public var descriptors: [MetricDescriptor]

    public init() {}
}

public struct MetricDescriptor: CRIMessage {
    /// Unique; Metric.name refers to it.
    @Field public var name: String
    @Field public var help: String
    @Field public var labelKeys: [String]

    public init() {}
}

public struct ListPodSandboxMetricsRequest: CRIMessage {
    public init() {}
}

public struct ListPodSandboxMetricsResponse: CRIMessage {
    @Field public var podMetrics: [PodSandboxMetrics]

    public init() {}
}

public struct PodSandboxMetrics: CRIMessage {
    @Field public var podSandboxId: String
    @Field public var metrics: [Metric]
    @Field public var containerMetrics: [ContainerMetrics]

    public init() {}
}

public struct ContainerMetrics: CRIMessage {
    @Field public var containerId: String
    @Field public var metrics: [Metric]

    public init() {}
}

public enum MetricType: Int32, CRIEnum {
    case counter = 0
    case gauge = 1

    public var protoName: String {
        switch self {
        case .counter: return "COUNTER"
        case .gauge: return "GAUGE"
        }
    }
}

public struct Metric: CRIMessage {
    @Field public var name: String
    /// Nanoseconds since the epoch if cached, 0 if read live.
    @Field public var timestamp: Int64
    @Field public var metricType: MetricType
    /// In the order of the descriptor's labelKeys.
    @Field public var labelValues: [String]
    public var value: UInt64Value?

    public init() {}
}
