// Version, Status, RuntimeConfig, UpdateRuntimeConfig, and the RPCs answered as unimplemented.
import CRIAPI
import PodNetwork

extension NodeRuntime {
    public static let version = "0.1.0"

    public func version(_ request: VersionRequest) async throws -> VersionResponse {
        var r = VersionResponse()
        r.version = "0.1.0"
        r.runtimeName = "skiff"
        r.runtimeVersion = Self.version
        r.runtimeApiVersion = "v1"
        return r
    }

    /// RuntimeReady always (the daemon answers); NetworkReady when a CNI config loads, with the
    /// reason the kubelet shows otherwise.
    public func status(_ request: StatusRequest) async throws -> StatusResponse {
        var runtimeReady = RuntimeCondition()
        runtimeReady.type = "RuntimeReady"
        runtimeReady.status = true
        var networkReady = RuntimeCondition()
        networkReady.type = "NetworkReady"
        do {
            _ = try network.currentConfig()
            networkReady.status = true
        } catch {
            networkReady.status = false
            networkReady.reason = "NetworkPluginNotReady"
            networkReady.message = "\(error)"
        }
        var r = StatusResponse()
        r.status.conditions = [runtimeReady, networkReady]
        r.runtimeHandlers = runtimes.keys.sorted().map { name in
            var h = RuntimeHandler()
            h.name = name
            return h
        }
        r.features.supplementalGroupsPolicy = true
        if request.verbose {
            r.info = ["config": "{\"root\":\"\(config.root)\",\"state\":\"\(config.state)\",\"cniConfDir\":\"\(config.cniConfDir)\"}"]
            if !startupWarnings.isEmpty { r.info["warnings"] = startupWarnings.joined(separator: "\n") }
        }
        return r
    }

    public func runtimeConfig(_ request: RuntimeConfigRequest) async throws -> RuntimeConfigResponse {
        var r = RuntimeConfigResponse()
        r.linux.cgroupDriver = .cgroupfs
        return r
    }

    /// The pod CIDR is the CNI config's business here (host-local's range): accepted, not used.
    public func updateRuntimeConfig(_ request: UpdateRuntimeConfigRequest) async throws -> UpdateRuntimeConfigResponse {
        UpdateRuntimeConfigResponse()
    }

    public func checkpointContainer(_ request: CheckpointContainerRequest) async throws -> CheckpointContainerResponse {
        throw CRIError.unimplemented("CheckpointContainer: checkpoint/restore is not supported")
    }

    public func listMetricDescriptors(_ request: ListMetricDescriptorsRequest) async throws -> ListMetricDescriptorsResponse {
        ListMetricDescriptorsResponse()
    }

    public func listPodSandboxMetrics(_ request: ListPodSandboxMetricsRequest) async throws -> ListPodSandboxMetricsResponse {
        ListPodSandboxMetricsResponse()
    }

    public func updatePodSandboxResources(_ request: UpdatePodSandboxResourcesRequest) async throws -> UpdatePodSandboxResourcesResponse {
        UpdatePodSandboxResourcesResponse()
    }

    public func getContainerEvents(_ request: GetEventsRequest) async throws -> AsyncThrowingStream<ContainerEventResponse, any Error> {
        events.subscribe()
    }
}
