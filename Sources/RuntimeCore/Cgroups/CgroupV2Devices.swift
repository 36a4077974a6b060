// Device access control on cgroup v2: there is no devices.allow file; instead a
// BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup returns 1 (allow) or 0 (deny) for
// each access. The program is generated from the folded rule set (DeviceRuleSet), so it decides
// exactly as the v1 controller would.
import CSkiffSystem
import Glibc

/// One eBPF instruction, in the kernel's struct bpf_insn layout.
struct BPFInstruction: Equatable {
    var code: UInt8
    var dst: UInt8 = 0
    var src: UInt8 = 0
    var offset: Int16 = 0
    var imm: Int32 = 0

    var bytes: [UInt8] {
        let off = UInt16(bitPattern: offset), i = UInt32(bitPattern: imm)
        return [code, (src << 4) | (dst & 0xF), UInt8(off & 0xFF), UInt8(off >> 8),
                UInt8(i & 0xFF), UInt8((i >> 8) & 0xFF), UInt8((i >> 16) & 0xFF), UInt8(i >> 24)]
    }

    // Opcodes used here (linux/bpf.h, linux/bpf_common.h).
    static func loadWord(dst: UInt8, src: UInt8, offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x61, dst: dst, src: src, offset: offset)  // BPF_LDX | BPF_W | BPF_MEM
    }
    static func mov(dst: UInt8, imm: Int32) -> BPFInstruction { BPFInstruction(code: 0xB7, dst: dst, imm: imm) } // ALU64 MOV K
    static func mov(dst: UInt8, src: UInt8) -> BPFInstruction { BPFInstruction(code: 0xBF, dst: dst, src: src) } // ALU64 MOV X
    static func and(dst: UInt8, imm: Int32) -> BPFInstruction { BPFInstruction(code: 0x57, dst: dst, imm: imm) } // ALU64 AND K
    static func rsh(dst: UInt8, imm: Int32) -> BPFInstruction { BPFInstruction(code: 0x77, dst: dst, imm: imm) } // ALU64 RSH K
    /// if dst != imm: skip `offset` instructions.
    static func jumpIfNotEqual(dst: UInt8, imm: Int32, offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x55, dst: dst, offset: offset, imm: imm)  // JMP JNE K
    }
    static func jumpIfEqual(dst: UInt8, imm: Int32, offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x15, dst: dst, offset: offset, imm: imm)  // JMP JEQ K
    }
    static func jumpIfNotEqual(dst: UInt8, src: UInt8, offset: Int16) -> BPFInstruction {
        BPFInstruction(code: 0x5D, dst: dst, src: src, offset: offset)  // JMP JNE X
    }
    static let exit = BPFInstruction(code: 0x95)
}

enum DeviceFilterProgram {
    // Registers after the prologue: r2 = device type, r3 = requested access, r4 = major, r5 = minor.
    private static let type: UInt8 = 2, access: UInt8 = 3, major: UInt8 = 4, minor: UInt8 = 5

    /// The program for a rule set: each exception is a block that, when the access matches it,
    /// returns the exception's verdict; falling through every block returns the default.
    static func instructions(for rules: DeviceRuleSet) -> [BPFInstruction] {
        // struct bpf_cgroup_dev_ctx { u32 access_type /* access << 16 | type */; u32 major; u32 minor; }
        var program: [BPFInstruction] = [
            .loadWord(dst: type, src: 1, offset: 0),
            .and(dst: type, imm: 0xFFFF),
            .loadWord(dst: access, src: 1, offset: 0),
            .rsh(dst: access, imm: 16),
            .loadWord(dst: major, src: 1, offset: 4),
            .loadWord(dst: minor, src: 1, offset: 8),
        ]
        let verdict: Int32 = rules.defaultAllow ? 0 : 1
        for (match, allowed) in rules.sortedExceptions {
            // Each check ends with a jump over the rest of the block (its argument) when it fails.
            var checks: [(_ restOfBlock: Int) -> [BPFInstruction]] = []
            switch match.kind {
            case .block: checks.append { [.jumpIfNotEqual(dst: type, imm: 1, offset: Int16($0))] }  // BPF_DEVCG_DEV_BLOCK
            case .char: checks.append { [.jumpIfNotEqual(dst: type, imm: 2, offset: Int16($0))] }   // BPF_DEVCG_DEV_CHAR
            case .all: break  // folded away: "a" rules reset the default
            }
            if allowed != .all {
                // As the v1 kernel: an allow exception must hold every requested bit
                // ((access & allowed) == access); a deny exception stops any access it shares a
                // bit with ((access & denied) != 0). r1 (the context) is free by now.
                checks.append { rest in
                    [.mov(dst: 1, src: access), .and(dst: 1, imm: Int32(allowed.rawValue)),
                     rules.defaultAllow ? .jumpIfEqual(dst: 1, imm: 0, offset: Int16(rest))
                                        : .jumpIfNotEqual(dst: 1, src: access, offset: Int16(rest))]
                }
            }
            if match.major >= 0 { checks.append { [.jumpIfNotEqual(dst: major, imm: Int32(match.major), offset: Int16($0))] } }
            if match.minor >= 0 { checks.append { [.jumpIfNotEqual(dst: minor, imm: Int32(match.minor), offset: Int16($0))] } }
            // Laid out back to front, so each jump knows how far the block's end is.
            var block: [BPFInstruction] = [.mov(dst: 0, imm: verdict), .exit]
            for check in checks.reversed() { block = check(block.count) + block }
            program += block
        }
        program += [.mov(dst: 0, imm: rules.defaultAllow ? 1 : 0), .exit]
        return program
    }
}

/// Loads and attaches device programs to one cgroup v2 directory.
enum CgroupDeviceFilter {
    /// Replaces the device program(s) we attached earlier with one for `rules`. The new program
    /// is attached before the old ones are detached, so there is no moment without a filter.
    static func apply(_ rules: DeviceRuleSet, to dir: String) throws {
        let insns = DeviceFilterProgram.instructions(for: rules).flatMap(\.bytes)
        let cgroupFD = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if cgroupFD < 0 { throw RuntimeError.system("devices: open \(dir)") }
        defer { close(cgroupFD) }

        let old = try attachedPrograms(cgroupFD: cgroupFD, dir: dir)
        var log = [CChar](repeating: 0, count: 64 * 1024)
        let progFD = insns.withUnsafeBytes { raw in
            log.withUnsafeMutableBufferPointer {
                sk_bpf_load_device_program(raw.baseAddress, UInt32(insns.count / 8), $0.baseAddress, UInt32($0.count))
            }
        }
        if progFD < 0 {
            let verifier = log.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw RuntimeError.system("devices: load the eBPF device program for \(dir)" +
                                      (verifier.isEmpty ? "" : " (verifier: \(verifier))"), errno: -progFD)
        }
        defer { close(progFD) }
        try checkNeg(sk_bpf_attach_device_program(cgroupFD, progFD), "devices: attach the eBPF device program to \(dir)")
        for id in old {
            let fd = sk_bpf_program_fd_by_id(id)
            if fd < 0 { continue }  // detached meanwhile
            let r = sk_bpf_detach_device_program(cgroupFD, fd)
            close(fd)
            if r < 0 && r != -ENOENT {
                throw RuntimeError.system("devices: detach the previous eBPF device program (id \(id)) from \(dir)", errno: -r)
            }
        }
    }

    /// IDs of the device programs attached directly to the cgroup.
    static func attachedPrograms(cgroupFD: Int32, dir: String) throws -> [UInt32] {
        var ids = [UInt32](repeating: 0, count: 64)
        var count = UInt32(ids.count)
        let r = ids.withUnsafeMutableBufferPointer { sk_bpf_query_device_programs(cgroupFD, $0.baseAddress, &count) }
        if r < 0 { throw RuntimeError.system("devices: list the eBPF device programs of \(dir)", errno: -r) }
        return Array(ids.prefix(Int(min(count, UInt32(ids.count)))))
    }

    static func attachedPrograms(dir: String) throws -> [UInt32] {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw RuntimeError.system("devices: open \(dir)") }
        defer { close(fd) }
        return try attachedPrograms(cgroupFD: fd, dir: dir)
    }
}
