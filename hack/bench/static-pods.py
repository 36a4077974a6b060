#!/usr/bin/env python3
"""Static pods: skiff-kubelet + skiff-cri against `podman kube play`, in one run.

  start     time from a Pod manifest written to its container running. skiff: the manifest is
            renamed into skiff-kubelet's static pod directory, and CRI ListContainers is polled
            over skiff-cri's socket every 10 ms until the pod's container is running (the image
            pulled into skiff-cri once before). podman: the wall time of `podman kube play` of the
            same manifest (it returns once the containers have started; image imported once).
            For 1 pod (median of N) and for 30 pods written at once (skiff: 30 files renamed in
            one after another; podman: one `kube play` of the 30 documents in one file), until all
            30 run.
  memory    skiff-kubelet's VmRSS with the 30 pods running (and skiff-cri's, for context).
Each pod is one busybox container waiting on `sleep` (TERM ends it); its command has absolute
paths, as the image podman imports from a tar has no PATH. Both stacks network their
pods through CNI's bridge plugin inside a network namespace made for the run, where skiff-cri,
skiff-kubelet and a registry holding the image run too. podman runs with runc (crun refuses
this hybrid cgroup host) and a containers.conf whose ulimits fit the VM.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

import node
from node import ROOT, start_registry, status_kb as kb, stop_registry
NODE = "bench"


def manifest(name, image):
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: {image}
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; /bin/sleep 3600 & wait"]
"""


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("skiff")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


class Skiff:
    image = "127.0.0.1:5000/bench/busybox:1"

    def __init__(self, o, ns, tmp):
        self.o, self.ns, self.dir = o, ns, f"{tmp}/skiff"
        d = self.dir
        self.sock = f"{d}/state/cri.sock"
        self.manifests = f"{d}/manifests"
        os.makedirs(f"{d}/cni")
        os.makedirs(self.manifests)
        conf = open(f"{ROOT}/config/cni/10-skiff.conflist").read().replace(
            '"type": "host-local"', f'"type": "host-local", "dataDir": "{d}/ipam"')
        open(f"{d}/cni/10-skiff.conflist", "w").write(conf)
        self.cri = subprocess.Popen(["nsenter", f"--net=/run/netns/{ns}", o.cri, "--root", f"{d}/root", "--state", f"{d}/state",
                                     "--cni-conf-dir", f"{d}/cni", "--runtime", o.runtime, "--monitor", o.monitor,
                                     "--pause", o.pause, "--insecure-registry", "127.0.0.1:5000"],
                                    stdout=subprocess.DEVNULL, stderr=open(f"{d}/cri.log", "w"))
        for _ in range(500):
            if os.path.exists(self.sock):
                break
            time.sleep(0.02)
        self.http = UnixHTTP(self.sock)
        self.call("ImageService/PullImage", {"image": {"image": self.image}})
        open(f"{d}/kubelet.yaml", "w").write(
            f"kind: KubeletConfiguration\nstaticPodPath: {self.manifests}\npodLogsDir: {d}/logs\ncgroupRoot: /skiff-bench\n"
            f"containerRuntimeEndpoint: unix://{self.sock}\nport: 10250\n")
        self.kubelet = subprocess.Popen(["nsenter", f"--net=/run/netns/{ns}", o.kubelet, "--config", f"{d}/kubelet.yaml",
                                         "--root-dir", f"{d}/kubelet", "--hostname-override", NODE],
                                        stdout=subprocess.DEVNULL, stderr=open(f"{d}/kubelet.log", "w"))
        time.sleep(1)

    def call(self, rpc, body):
        self.http.request("POST", f"/runtime.v1.{rpc}", json.dumps(body), {"Content-Type": "application/json"})
        r = self.http.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{rpc}: {r.status} {data[:300]}")
        return json.loads(data) if data else {}

    def running(self):
        """Names of the pods whose container runs."""
        out = self.call("RuntimeService/ListContainers", {"filter": {"state": {"state": "CONTAINER_RUNNING"}}})
        return {c["labels"].get("io.kubernetes.pod.name") for c in out.get("containers", [])}

    def sandboxes(self):
        return self.call("RuntimeService/ListPodSandbox", {}).get("items", [])

    def write(self, name):
        tmp = f"{self.manifests}/.{name}.tmp"
        open(tmp, "w").write(manifest(name, self.image))
        os.rename(tmp, f"{self.manifests}/{name}.yaml")

    def start(self, names):
        t = time.monotonic()
        for n in names:
            self.write(n)
        want = {f"{n}-{NODE}" for n in names}
        while not want <= self.running():
            time.sleep(0.01)
        return time.monotonic() - t

    def remove_all(self):
        for f in os.listdir(self.manifests):
            os.unlink(f"{self.manifests}/{f}")
        for _ in range(1500):
            if not self.sandboxes():
                return
            time.sleep(0.05)
        raise RuntimeError("skiff-kubelet did not remove its pods within 75 s")

    def stop(self):
        try:
            self.remove_all()
        finally:
            self.kubelet.terminate()
            self.kubelet.wait()
            self.cri.terminate()
            self.cri.wait()
            subprocess.run(["sh", "-c", "for d in /sys/fs/cgroup/*/skiff-bench; do [ -d \"$d\" ] && find \"$d\" -depth -type d "
                                        "-exec rmdir {} \\; ; done; true"], stderr=subprocess.DEVNULL)


class Podman(node.Podman):
    def __init__(self, o, ns, tmp):
        super().__init__(ns, tmp)

    def start(self, names):
        path = f"{self.tmp}/podman-{names[0]}.yaml"
        open(path, "w").write("---\n".join(manifest(n, self.image) for n in names))
        t = time.monotonic()
        self.run("kube", "play", path)
        return time.monotonic() - t


def main():
    p = argparse.ArgumentParser()
    for a in ("--cri", "--kubelet", "--monitor", "--pause", "--runtime"):
        p.add_argument(a, required=True)
    p.add_argument("-n", type=int, default=10, help="single-pod starts per stack")
    p.add_argument("--burst", type=int, default=30)
    p.add_argument("--json")
    o = p.parse_args()
    ns = f"skiff-bench-{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="skiff-bench-static-")
    registry, stacks = None, {}
    try:
        registry = start_registry(ns, tmp)
        stacks["skiff"] = Skiff(o, ns, tmp)
        stacks["podman"] = Podman(o, ns, tmp)
        single = {k: [] for k in stacks}
        for i in range(o.n):
            for k, s in stacks.items():
                single[k].append(s.start([f"one-{i}"]))
                s.remove_all()
        bursts = {}
        for k, s in stacks.items():
            bursts[k] = s.start([f"many-{i}" for i in range(o.burst)])
            if k == "skiff":
                time.sleep(2)
                kubelet_kb, cri_kb = kb(s.kubelet.pid, "VmRSS"), kb(s.cri.pid, "VmRSS")
                kubelet_hwm = kb(s.kubelet.pid, "VmHWM")
            s.remove_all()
        result = {"single": single, "burst": bursts, "kubeletKB": kubelet_kb, "kubeletPeakKB": kubelet_hwm, "criKB": cri_kb}
    finally:
        for s in stacks.values():
            try:
                s.stop()
            except Exception as e:   # keep cleaning up
                print(f"cleanup: {e}")
        stop_registry(registry, ns, tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    s1, p1 = statistics.median(result["single"]["skiff"]), statistics.median(result["single"]["podman"])
    sb, pb = result["burst"]["skiff"], result["burst"]["podman"]
    print(f"\n{'':<40} {'skiff':>10} {'podman':>10} {'skiff/podman':>13}")
    print(f"{'1 pod, manifest to running (median of %d)' % o.n:<40} {s1*1000:>7.0f} ms {p1*1000:>7.0f} ms {s1/p1:>12.2f}x")
    print(f"{'%d pods at once, all running' % o.burst:<40} {sb*1000:>7.0f} ms {pb*1000:>7.0f} ms {sb/pb:>12.2f}x")
    print(f"{'  per pod':<40} {sb*1000/o.burst:>7.0f} ms {pb*1000/o.burst:>7.0f} ms")
    print(f"\nwith {o.burst} static pods running: skiff-kubelet {result['kubeletKB']/1024:.1f} MB resident "
          f"(peak {result['kubeletPeakKB']/1024:.1f} MB), skiff-cri {result['criKB']/1024:.1f} MB")
    print(f"single starts, skiff (ms): {' '.join(f'{t*1000:.0f}' for t in result['single']['skiff'])}")
    print(f"single starts, podman (ms): {' '.join(f'{t*1000:.0f}' for t in result['single']['podman'])}")
    if o.json:
        os.makedirs(os.path.dirname(o.json), exist_ok=True)
        json.dump(result, open(o.json, "w"), indent=1)


if __name__ == "__main__":
    main()
