// The CRI RPCs: each one's HTTP path and request/response types, shared by server and client.

/// The two CRI gRPC services, by their full proto names.
public enum CRIService: String, Sendable {
    case runtime = "runtime.v1.RuntimeService"
    case image = "runtime.v1.ImageService"
}

/// One CRI RPC: served as `POST /<service>/<name>` with the request as the JSON body.
public struct CRIMethod<Request: CRIMessage, Response: CRIMessage>: Sendable {
    public let service: CRIService
    public let name: String

    public init(_ service: CRIService, _ name: String) {
        self.service = service
        self.name = name
    }

    /// "/runtime.v1.RuntimeService/RunPodSandbox"
    public var path: String { "/\(service.rawValue)/\(name)" }
}

/// A server-streaming CRI RPC: the response is NDJSON, one `Response` per line.
public struct CRIStreamMethod<Request: CRIMessage, Response: CRIMessage>: Sendable {
    public let service: CRIService
    public let name: String

    public init(_ service: CRIService, _ name: String) {
        self.service = service
        self.name = name
    }

    public var path: String { "/\(service.rawValue)/\(name)" }
}

/// Every RPC skiff-cri serves.
public enum CRIMethods {
    // RuntimeService
    public static let version = CRIMethod<VersionRequest, VersionResponse>(.runtime, "Version")
    public static let runPodSandbox = CRIMethod<RunPodSandboxRequest, RunPodSandboxResponse>(.runtime, "RunPodSandbox")
    public static let stopPodSandbox = CRIMethod<StopPodSandboxRequest, StopPodSandboxResponse>(.runtime, "StopPodSandbox")
    public static let removePodSandbox = CRIMethod<RemovePodSandboxRequest, RemovePodSandboxResponse>(.runtime, "RemovePodSandbox")
    public static let podSandboxStatus = CRIMethod<PodSandboxStatusRequest, PodSandboxStatusResponse>(.runtime, "PodSandboxStatus")
    public static let listPodSandbox = CRIMethod<ListPodSandboxRequest, ListPodSandboxResponse>(.runtime, "ListPodSandbox")
    public static let createContainer = CRIMethod<CreateContainerRequest, CreateContainerResponse>(.runtime, "CreateContainer")
    public static let startContainer = CRIMethod<StartContainerRequest, StartContainerResponse>(.runtime, "StartContainer")
    public static let stopContainer = CRIMethod<StopContainerRequest, StopContainerResponse>(.runtime, "StopContainer")
    public static let removeContainer = CRIMethod<RemoveContainerRequest, RemoveContainerResponse>(.runtime, "RemoveContainer")
    public static let listContainers = CRIMethod<ListContainersRequest, ListContainersResponse>(.runtime, "ListContainers")
    public static let containerStatus = CRIMethod<ContainerStatusRequest, ContainerStatusResponse>(.runtime, "ContainerStatus")
    public static let updateContainerResources = CRIMethod<UpdateContainerResourcesRequest, UpdateContainerResourcesResponse>(.runtime, "UpdateContainerResources")
    public static let reopenContainerLog = CRIMethod<ReopenContainerLogRequest, ReopenContainerLogResponse>(.runtime, "ReopenContainerLog")
    public static let execSync = CRIMethod<ExecSyncRequest, ExecSyncResponse>(.runtime, "ExecSync")
    public static let exec = CRIMethod<ExecRequest, ExecResponse>(.runtime, "Exec")
    public static let attach = CRIMethod<AttachRequest, AttachResponse>(.runtime, "Attach")
    public static let portForward = CRIMethod<PortForwardRequest, PortForwardResponse>(.runtime, "PortForward")
    public static let containerStats = CRIMethod<ContainerStatsRequest, ContainerStatsResponse>(.runtime, "ContainerStats")
    public static let listContainerStats = CRIMethod<ListContainerStatsRequest, ListContainerStatsResponse>(.runtime, "ListContainerStats")
    public static let podSandboxStats = CRIMethod<PodSandboxStatsRequest, PodSandboxStatsResponse>(.runtime, "PodSandboxStats")
    public static let listPodSandboxStats = CRIMethod<ListPodSandboxStatsRequest, ListPodSandboxStatsResponse>(.runtime, "ListPodSandboxStats")
    public static let updateRuntimeConfig = CRIMethod<UpdateRuntimeConfigRequest, UpdateRuntimeConfigResponse>(.runtime, "UpdateRuntimeConfig")
    public static let status = CRIMethod<StatusRequest, StatusResponse>(.runtime, "Status")
    public static let checkpointContainer = CRIMethod<CheckpointContainerRequest, CheckpointContainerResponse>(.runtime, "CheckpointContainer")
    public static let listMetricDescriptors = CRIMethod<ListMetricDescriptorsRequest, ListMetricDescriptorsResponse>(.runtime, "ListMetricDescriptors")
    public static let listPodSandboxMetrics = CRIMethod<ListPodSandboxMetricsRequest, ListPodSandboxMetricsResponse>(.runtime, "ListPodSandboxMetrics")
    public static let runtimeConfig = CRIMethod<RuntimeConfigRequest, RuntimeConfigResponse>(.runtime, "RuntimeConfig")
    public static let updatePodSandboxResources = CRIMethod<UpdatePodSandboxResourcesRequest, UpdatePodSandboxResourcesResponse>(.runtime, "UpdatePodSandboxResources")
    public static let getContainerEvents = CRIStreamMethod<GetEventsRequest, ContainerEventResponse>(.runtime, "GetContainerEvents")

    // ImageService
    public static let listImages = CRIMethod<ListImagesRequest, ListImagesResponse>(.image, "ListImages")
    public static let imageStatus = CRIMethod<ImageStatusRequest, ImageStatusResponse>(.image, "ImageStatus")
    public static let pullImage = CRIMethod<PullImageRequest, PullImageResponse>(.image, "PullImage")
    public static let removeImage = CRIMethod<RemoveImageRequest, RemoveImageResponse>(.image, "RemoveImage")
    public static let imageFsInfo = CRIMethod<ImageFsInfoRequest, ImageFsInfoResponse>(.image, "ImageFsInfo")
}
