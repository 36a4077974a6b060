"""What the benches (and hack/link/order.py) share: commands, /proc readers, and a network
namespace made for the run with docker-registry on its loopback holding an image."""
import os
import shutil
import subprocess
import tempfile
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


class Podman:
    """podman in network namespace `ns` with a store of its own holding the busybox test image as
    `image`: runc (crun refuses this hybrid cgroup host), ulimits that fit the VM, cgroupfs."""
    image = "localhost/bench/busybox:1"

    def __init__(self, ns, tmp):
        self.ns, self.tmp = ns, tmp
        conf = f"{tmp}/containers.conf"
        with open(conf, "w") as f:
            f.write('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n')
        self.env = dict(os.environ, CONTAINERS_CONF=conf)
        self.short = tempfile.mkdtemp(prefix="pp-")   # podman wants a runroot under 50 characters
        self.base = ["nsenter", f"--net=/run/netns/{ns}", "podman", "--root", f"{self.short}/root",
                     "--runroot", f"{self.short}/run", "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs"]
        self.run("import", "-q", f"{ROOT}/rootfs/out/busybox.tar", self.image)

    def run(self, *args):
        return run(*self.base, *args, env=self.env)

    def remove_all(self):
        subprocess.run([*self.base, "pod", "rm", "-af", "-t", "0"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        self.remove_all()
        subprocess.run([*self.base, "system", "reset", "-f"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["sh", "-c", f"grep -o ' {self.short}[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l"])
        shutil.rmtree(self.short, ignore_errors=True)
