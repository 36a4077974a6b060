"""What the benches (and hack/link/order.py) share: commands, /proc readers, and a network
namespace made for the run with docker-registry on its loopback holding an image."""
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGISTRY = "127.0.0.1:5000"


def run(*args, **kw):
    """Runs a command; its stdout, or an error with its stderr."""
    r = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip() or r.stdout.strip()}")
    return r.stdout


def status_kb(pid, field):
    """A kB figure of /proc/PID/status (VmRSS, VmHWM, RssAnon...); 0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def private_kb(pid):
    """Private (unshared) resident kB: what one more such process really costs."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return sum(int(l.split()[1]) for l in f if l.startswith(("Private_Clean:", "Private_Dirty:")))
    except FileNotFoundError:
        return 0


def start_registry(ns, tmp, layout=f"{ROOT}/rootfs/out/busybox-oci", image=f"{REGISTRY}/bench/busybox:1"):
    """Network namespace `ns` with docker-registry on its 127.0.0.1:5000 holding the OCI layout
    `layout` as `image`; returns the registry process."""
    run("ip", "netns", "add", ns)
    run("ip", "-n", ns, "link", "set", "lo", "up")
    with open(f"{tmp}/registry.yml", "w") as f:
        f.write(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {tmp}/registry\nhttp:\n  addr: {REGISTRY}\n")
    registry = subprocess.Popen(["nsenter", f"--net=/run/netns/{ns}", "docker-registry", "serve", f"{tmp}/registry.yml"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if subprocess.run(["nsenter", f"--net=/run/netns/{ns}", "bash", "-c", "echo > /dev/tcp/127.0.0.1/5000"],
                          stderr=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.1)
    run("nsenter", f"--net=/run/netns/{ns}", "skopeo", "copy", "--quiet", "--dest-tls-verify=false",
        f"oci:{layout}:latest", f"docker://{image}")
    return registry


def stop_registry(registry, ns, tmp):
    """Stops the registry, removes the namespace and whatever is still mounted under `tmp`."""
    if registry:
        registry.kill()
        registry.wait()
    subprocess.run(["ip", "netns", "delete", ns], stderr=subprocess.DEVNULL)
    subprocess.run(["sh", "-c", f"grep -o ' {tmp}[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l"])
