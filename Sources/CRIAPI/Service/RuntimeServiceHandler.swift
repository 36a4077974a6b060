// What skiff-cri implements: one async method per RuntimeService RPC.

/// The CRI RuntimeService: pod sandboxes, containers, exec, stats, runtime status.
/// Every method has a default that answers Unimplemented, so a server implements what it
/// supports and the rest fail clearly.
public protocol RuntimeServiceHandler: Sendable {
    func version(_ request: VersionRequest) async throws -> VersionResponse
    func runPodSandbox(_ request: RunPodSandboxRequest) async throws -> RunPodSandboxResponse
    func stopPodSandbox(_ request: StopPodSandboxRequest) async throws -> StopPodSandboxResponse
    func removePodSandbox(_ request: RemovePodSandboxRequest) async throws -> RemovePodSandboxResponse
    func podSandboxStatus(_ request: PodSandboxStatusRequest) async throws -> PodSandboxStatusResponse
    func listPodSandbox(_ request: ListPodSandboxRequest) async throws -> ListPodSandboxResponse
    func createContainer(_ request: CreateContainerRequest) async throws -> CreateContainerResponse
    func startContainer(_ request: StartContainerRequest) async throws -> StartContainerResponse
    func stopContainer(_ request: StopContainerRequest) async throws -> StopContainerResponse
    func removeContainer(_ request: RemoveContainerRequest) async throws -> RemoveContainerResponse
    func listContainers(_ request: ListContainersRequest) async throws -> ListContainersResponse
    func containerStatus(_ request: ContainerStatusRequest) async throws -> ContainerStatusResponse
    func updateContainerResources(_ request: UpdateContainerResourcesRequest) async throws -> UpdateContainerResourcesResponse
    func reopenContainerLog(_ request: ReopenContainerLogRequest) async throws -> ReopenContainerLogResponse
    func execSync(_ request: ExecSyncRequest) async throws -> ExecSyncResponse
    func exec(_ request: ExecRequest) async throws -> ExecResponse
    func attach(_ request: AttachRequest) async throws -> AttachResponse
    func portForward(_ request: PortForwardRequest) async throws -> PortForwardResponse
    func containerStats(_ request: ContainerStatsRequest) async throws -> ContainerStatsResponse
    func listContainerStats(_ request: ListContainerStatsRequest) async throws -> ListContainerStatsResponse
    func podSandboxStats(_ request: PodSandboxStatsRequest) async throws -> PodSandboxStatsResponse
    func listPodSandboxStats(_ request: ListPodSandboxStatsRequest) async throws -> ListPodSandboxStatsResponse
    func updateRuntimeConfig(_ request: UpdateRuntimeConfigRequest) async throws -> UpdateRuntimeConfigResponse
    func status(_ request: StatusRequest) async throws -> StatusResponse
    func checkpointContainer(_ request: CheckpointContainerRequest) async throws -> CheckpointContainerResponse
    func listMetricDescriptors(_ request: ListMetricDescriptorsRequest) async throws -> ListMetricDescriptorsResponse
    func listPodSandboxMetrics(_ request: ListPodSandboxMetricsRequest) async throws -> ListPodSandboxMetricsResponse
    func runtimeConfig(_ request: RuntimeConfigRequest) async throws -> RuntimeConfigResponse
    func updatePodSandboxResources(_ request: UpdatePodSandboxResourcesRequest) async throws -> UpdatePodSandboxResourcesResponse
    /// A server stream: the server sends each event as it comes, until the sequence ends or
    /// the client goes away (then the stream's onTermination runs).
    func getContainerEvents(_ request: GetEventsRequest) async throws -> AsyncThrowingStream<ContainerEventResponse, any Error>
}

extension RuntimeServiceHandler {
    public func version(_ request: VersionRequest) async throws -> VersionResponse {
        throw CRIError.unimplemented("RuntimeService/Version is not implemented")
    }
    public func runPodSandbox(_ request: RunPodSandboxRequest) async throws -> RunPodSandboxResponse {
        throw CRIError.unimplemented("RuntimeService/RunPodSandbox is not implemented")
    }
    public func stopPodSandbox(_ request: StopPodSandboxRequest) async throws -> StopPodSandboxResponse {
        throw CRIError.unimplemented("RuntimeService/StopPodSandbox is not implemented")
    }
    public func removePodSandbox(_ request: RemovePodSandboxRequest) async throws -> RemovePodSandboxResponse {
        throw CRIError.unimplemented("RuntimeService/RemovePodSandbox is not implemented")
    }
    public func podSandboxStatus(_ request: PodSandboxStatusRequest) async throws -> PodSandboxStatusResponse {
        throw CRIError.unimplemented("RuntimeService/PodSandboxStatus is not implemented")
    }
    public func listPodSandbox(_ request: ListPodSandboxRequest) async throws -> ListPodSandboxResponse {
        throw CRIError.unimplemented("RuntimeService/ListPodSandbox is not implemented")
    }
    public func createContainer(_ request: CreateContainerRequest) async throws -> CreateContainerResponse {
        throw CRIError.unimplemented("RuntimeService/CreateContainer is not implemented")
    }
    public func startContainer(_ request: StartContainerRequest) async throws -> StartContainerResponse {
        throw CRIError.unimplemented("RuntimeService/StartContainer is not implemented")
    }
    public func stopContainer(_ request: StopContainerRequest) async throws -> StopContainerResponse {
        throw CRIError.unimplemented("RuntimeService/StopContainer is not implemented")
    }
    public func removeContainer(_ request: RemoveContainerRequest) async throws -> RemoveContainerResponse {
        throw CRIError.unimplemented("RuntimeService/RemoveContainer is not implemented")
    }
    public func listContainers(_ request: ListContainersRequest) async throws -> ListContainersResponse {
        throw CRIError.unimplemented("RuntimeService/ListContainers is not implemented")
    }
    public func containerStatus(_ request: ContainerStatusRequest) async throws -> ContainerStatusResponse {
        throw CRIError.unimplemented("RuntimeService/ContainerStatus is not implemented")
    }
    public func updateContainerResources(_ request: UpdateContainerResourcesRequest) async throws -> UpdateContainerResourcesResponse {
        throw CRIError.unimplemented("RuntimeService/UpdateContainerResources is not implemented")
    }
    public func reopenContainerLog(_ request: ReopenContainerLogRequest) async throws -> ReopenContainerLogResponse {
        throw CRIError.unimplemented("RuntimeService/ReopenContainerLog is not implemented")
    }
    public func execSync(_ request: ExecSyncRequest) async throws -> ExecSyncResponse {
        throw CRIError.unimplemented("RuntimeService/ExecSync is not implemented")
    }
    public func exec(_ request: ExecRequest) async throws -> ExecResponse {
        throw CRIError.unimplemented("RuntimeService/Exec is not implemented")
    }
    public func attach(_ request: AttachRequest) async throws -> AttachResponse {
        throw CRIError.unimplemented("RuntimeService/Attach is not implemented")
    }
    public func portForward(_ request: PortForwardRequest) async throws -> PortForwardResponse {
        throw CRIError.unimplemented("RuntimeService/PortForward is not implemented")
    }
    public func containerStats(_ request: ContainerStatsRequest) async throws -> ContainerStatsResponse {
        throw CRIError.unimplemented("RuntimeService/ContainerStats is not implemented")
    }
    public func listContainerStats(_ request: ListContainerStatsRequest) async throws -> ListContainerStatsResponse {
        throw CRIError.unimplemented("RuntimeService/ListContainerStats is not implemented")
    }
    public func podSandboxStats(_ request: PodSandboxStatsRequest) async throws -> PodSandboxStatsResponse {
        throw CRIError.unimplemented("RuntimeService/PodSandboxStats is not implemented")
    }
    public func listPodSandboxStats(_ request: ListPodSandboxStatsRequest) async throws -> ListPodSandboxStatsResponse {
        throw CRIError.unimplemented("RuntimeService/ListPodSandboxStats is not implemented")
    }
    public func updateRuntimeConfig(_ request: UpdateRuntimeConfigRequest) async throws -> UpdateRuntimeConfigResponse {
        throw CRIError.unimplemented("RuntimeService/UpdateRuntimeConfig is not implemented")
    }
    public func status(_ request: StatusRequest) async throws -> StatusResponse {
        throw CRIError.unimplemented("RuntimeService/Status is not implemented")
    }
    public func checkpointContainer(_ request: CheckpointContainerRequest) async throws -> CheckpointContainerResponse {
        throw CRIError.unimplemented("RuntimeService/CheckpointContainer is not implemented")
    }
    public func listMetricDescriptors(_ request: ListMetricDescriptorsRequest) async throws -> ListMetricDescriptorsResponse {
        throw CRIError.unimplemented("RuntimeService/ListMetricDescriptors is not implemented")
    }
    public func listPodSandboxMetrics(_ request: ListPodSandboxMetricsRequest) async throws -> ListPodSandboxMetricsResponse {
        throw CRIError.unimplemented("RuntimeService/ListPodSandboxMetrics is not implemented")
    }
    public func runtimeConfig(_ request: RuntimeConfigRequest) async throws -> RuntimeConfigResponse {
        throw CRIError.unimplemented("RuntimeService/RuntimeConfig is not implemented")
    }
    public func updatePodSandboxResources(_ request: UpdatePodSandboxResourcesRequest) async throws -> UpdatePodSandboxResourcesResponse {
        throw CRIError.unimplemented("RuntimeService/UpdatePodSandboxResources is not implemented")
    }
    public func getContainerEvents(_ request: GetEventsRequest) async throws -> AsyncThrowingStream<ContainerEventResponse, any Error> {
        throw CRIError.unimplemented("RuntimeService/GetContainerEvents is not implemented")
    }
}
