// skiff-pause: the process that holds a pod sandbox's namespaces. It does nothing but wait:
// it exits 0 on SIGINT or SIGTERM, and reaps zombies when the pod shares its PID namespace
// (it is PID 1 there, so orphans of every container are reparented to it).
// Glibc only, built fully static: it starts in under a millisecond and runs in a rootfs that
// holds nothing but itself.
import Glibc

if CommandLine.arguments.dropFirst().first == "-v" || CommandLine.arguments.dropFirst().first == "--version" {
    print("skiff-pause 0.1.0")
    exit(0)
}

if getpid() != 1 {
    let warning = "skiff-pause: warning: not PID 1, zombies of this namespace are not mine to reap\n"
    _ = warning.withCString { write(2, $0, strlen($0)) }
}

var shutdown = sigaction()
shutdown.__sigaction_handler.sa_handler = { _ in _exit(0) }
sigaction(SIGINT, &shutdown, nil)
sigaction(SIGTERM, &shutdown, nil)

var reap = sigaction()
reap.__sigaction_handler.sa_handler = { _ in
    var status: Int32 = 0
    while waitpid(-1, &status, WNOHANG) > 0 {}
}
reap.sa_flags = SA_NOCLDSTOP | SA_RESTART
sigaction(SIGCHLD, &reap, nil)

while true { pause() }
