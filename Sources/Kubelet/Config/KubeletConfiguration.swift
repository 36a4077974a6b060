// The --config file: a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) in YAML or JSON.
// The fields skiff-kubelet acts on; others are ignored, as the kubelet ignores unknown ones.
import Foundation
import Yams

public struct KubeletConfiguration: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var staticPodPath: String?
    public var address: String?
    public var port: Int32?
    public var syncFrequency: String?
    public var fileCheckFrequency: String?
    public var containerRuntimeEndpoint: String?
    public var podLogsDir: String?
    public var cgroupRoot: String?
    public var cgroupsPerQOS: Bool?
    public var cgroupDriver: String?
    public var clusterDNS: [String]?
    public var clusterDomain: String?
    public var resolvConf: String?
    public var runtimeRequestTimeout: String?
    public var seccompDefault: Bool?

    public init() {}

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads and checks a configuration file; errors name the file and the field.
    public static func load(path: String) throws -> KubeletConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "kubelet config \(path): cannot read the file")
        }
        let config: KubeletConfiguration
        do {
            config = try YAMLDecoder().decode(KubeletConfiguration.self, from: String(decoding: data, as: UTF8.self))
        } catch {
            throw LoadError(description: "kubelet config \(path): \(ManifestDecoder.describe(error))")
        }
        if let kind = config.kind, kind != "KubeletConfiguration" {
            throw LoadError(description: "kubelet config \(path): kind is \"\(kind)\", expected KubeletConfiguration")
        }
        if let version = config.apiVersion, !version.hasPrefix("kubelet.config.k8s.io/") {
            throw LoadError(description: "kubelet config \(path): apiVersion \"\(version)\", expected kubelet.config.k8s.io/v1beta1")
        }
        if let driver = config.cgroupDriver, driver != "cgroupfs" {
            throw LoadError(description: "kubelet config \(path): cgroupDriver \"\(driver)\": only cgroupfs is supported (no systemd here)")
        }
        for (name, value) in [("syncFrequency", config.syncFrequency), ("fileCheckFrequency", config.fileCheckFrequency),
                              ("runtimeRequestTimeout", config.runtimeRequestTimeout)] {
            if let value {
                do { _ = try GoDuration.parse(value) } catch {
                    throw LoadError(description: "kubelet config \(path): \(name): \(error)")
                }
            }
        }
        return config
    }

    /// These values over `settings` (flags given on the command line go over both, as in the kubelet).
    public func apply(to settings: inout KubeletSettings) throws {
        if let staticPodPath { settings.staticPodPath = staticPodPath }
        if let address { settings.address = address }
        if let port { settings.port = Int(port) }
        if let syncFrequency { settings.syncFrequency = try GoDuration.parse(syncFrequency) }
        if let fileCheckFrequency { settings.fileCheckFrequency = try GoDuration.parse(fileCheckFrequency) }
        if let containerRuntimeEndpoint { settings.runtimeEndpoint = containerRuntimeEndpoint }
        if let podLogsDir { settings.podLogsDirectory = podLogsDir }
        if let cgroupRoot { settings.cgroupRoot = cgroupRoot }
        if let cgroupsPerQOS { settings.cgroupsPerQOS = cgroupsPerQOS }
        if let clusterDNS { settings.clusterDNS = clusterDNS }
        if let clusterDomain { settings.clusterDomain = clusterDomain }
        if let resolvConf { settings.resolvConf = resolvConf }
        if let runtimeRequestTimeout { settings.runtimeRequestTimeout = try GoDuration.parse(runtimeRequestTimeout) }
        if let seccompDefault { settings.seccompDefault = seccompDefault }
    }
}
