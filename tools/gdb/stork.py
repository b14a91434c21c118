"""gdb commands for stork (loaded by tools/run-qemu --gdb; by hand:
`source tools/gdb/stork.py` in gdb on build/stork.elf).

    stork-cpus           each CPU: current thread, preemption, run queue, time
    stork-threads        every thread: tid, state, CPU, and where a sleeping
                         one sleeps (the first frames of its saved stack)
    stork-bt <tid>       the whole call chain of a thread that is not running
                         (a running one: `info threads`, `thread N`, `bt`;
                         gdb's thread N is CPU N-1)

They read the kernel's own structures (kernel/arch/percpu.h's cpu_table,
kernel/sched/thread.c's all_threads) through the stub, so they work on a
hung machine: Ctrl-C in gdb stops every CPU, then ask. Sleeping threads are
walked by frame pointers (the kernel is built with -fno-omit-frame-pointer)
from the stack kernel/arch/switch.S saved: r15, r14, r13, r12, rbx, rbp,
then the return address into schedule().
"""
import gdb

SWITCH_RBP = 5 * 8      # saved rbp, from thread->rsp (switch.S)
SWITCH_RET = 6 * 8      # return address into the scheduler
MAX_FRAMES = 64


def u64_at(addr):
    return int(gdb.parse_and_eval(f"*(unsigned long *){addr:#x}"))


def where(pc):
    """'function+0x12' for a code address, or the address."""
    sym = gdb.execute(f"info symbol {pc:#x}", to_string=True).strip()
    if sym.startswith("No symbol"):
        return f"{pc:#x}"
    # "thread_sleep + 66 in section .text" -> "thread_sleep+66"
    return sym.split(" in section")[0].replace(" + ", "+")


def frames(rsp, limit=MAX_FRAMES):
    """Return addresses of a switched-out thread, innermost first."""
    pcs = [u64_at(rsp + SWITCH_RET)]
    rbp = u64_at(rsp + SWITCH_RBP)
    while rbp and len(pcs) < limit:
        ret = u64_at(rbp + 8)
        if not ret:
            break
        pcs.append(ret)
        nxt = u64_at(rbp)
        if nxt <= rbp:          # stacks grow down: a frame further out is higher
            break
        rbp = nxt
    return pcs


def state_name(value):
    return str(value).replace("THREAD_", "").lower()


def all_threads():
    head = gdb.parse_and_eval("all_threads")
    thread_t = gdb.lookup_type("struct thread")
    off = int(gdb.parse_and_eval("(unsigned long)&((struct thread *)0)->all_link"))
    node = head["next"]
    end = int(head.address)
    while int(node) != end:
        yield gdb.Value(int(node) - off).cast(thread_t.pointer())
        node = node["next"]


def running_threads():
    """thread address -> CPU, for the threads a CPU is running."""
    on = {}
    for cpu in range(int(gdb.parse_and_eval("nr_cpus"))):
        c = gdb.parse_and_eval(f"cpu_table[{cpu}]")
        if int(c):
            on[int(c["current"])] = cpu
    return on


class StorkCpus(gdb.Command):
    """Each CPU: online, APIC id, current thread, preempt count, run queue, busy/idle time."""

    def __init__(self):
        super().__init__("stork-cpus", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        n = int(gdb.parse_and_eval("nr_cpus"))
        print(f"{'cpu':>3} {'apic':>4} {'online':6} {'current':24} {'preempt':>7} "
              f"{'resched':7} {'queued':>6} {'switches':>10} {'busy_ms':>9} {'idle_ms':>9}")
        for cpu in range(n):
            c = gdb.parse_and_eval(f"cpu_table[{cpu}]")
            if not int(c):
                print(f"{cpu:>3} (absent)")
                continue
            cur = c["current"]
            name = f"{cur['name'].string()}/{int(cur['tid'])}" if int(cur) else "-"
            rq = c["rq"]
            print(f"{cpu:>3} {int(c['apic_id']):>4} {str(bool(c['online'])).lower():6} "
                  f"{name:24} {int(c['preempt_count']):>7} "
                  f"{str(bool(c['need_resched'])).lower():7} {int(rq['nr_queued']):>6} "
                  f"{int(rq['switches']):>10} {int(c['busy_ns']) // 1000000:>9} "
                  f"{int(c['idle_ns']) // 1000000:>9}")


class StorkThreads(gdb.Command):
    """Every thread: tid, name, state, CPU, run time; where a sleeping one sleeps."""

    def __init__(self):
        super().__init__("stork-threads", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        on = running_threads()
        print(f"{'tid':>4} {'name':20} {'state':9} {'cpu':>3} {'prio':>4} {'run_ms':>8}  where")
        for t in all_threads():
            state = state_name(t["state"])
            if int(t) in on:
                loc = f"running on CPU {on[int(t)]} (gdb: thread {on[int(t)] + 1}, bt)"
            elif state in ("new", "exited"):
                loc = ""
            else:
                loc = " <- ".join(where(pc) for pc in frames(int(t["rsp"]), 4))
            print(f"{int(t['tid']):>4} {t['name'].string():20} {state:9} {int(t['cpu']):>3} "
                  f"{int(t['prio']):>4} {int(t['run_ns']) // 1000000:>8}  {loc}")


class StorkBt(gdb.Command):
    """stork-bt TID: the call chain of a thread that is not on a CPU."""

    def __init__(self):
        super().__init__("stork-bt", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        try:
            tid = int(arg, 0)
        except ValueError:
            raise gdb.GdbError("usage: stork-bt TID (see stork-threads)")
        on = running_threads()
        for t in all_threads():
            if int(t["tid"]) != tid:
                continue
            if int(t) in on:
                raise gdb.GdbError(f"thread {tid} runs on CPU {on[int(t)]}: "
                                   f"use `thread {on[int(t)] + 1}` and `bt`")
            for i, pc in enumerate(frames(int(t["rsp"]))):
                sal = gdb.find_pc_line(pc - 1)
                line = f" at {sal.symtab.filename}:{sal.line}" if sal.symtab else ""
                print(f"#{i:<2} {where(pc)}{line}")
            return
        raise gdb.GdbError(f"no thread {tid}")


StorkCpus()
StorkThreads()
StorkBt()
