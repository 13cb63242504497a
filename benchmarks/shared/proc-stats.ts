import { readdirSync, readFileSync } from 'node:fs';

// What a process and the machine have used so far, from Linux's /proc (zeros elsewhere). The
// benchmarks difference two readings; ticks are the kernel's USER_HZ, 100 on Linux.

/** CPU seconds a process has used so far, all its threads (utime + stime). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The whole machine's busy and total CPU seconds so far (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = ticks.map(Number);
    const idle = n[3] + n[4];
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return { busy: 0, total: 0 };
  }
}

function switchesOf(statusPath: string): { voluntary: number; involuntary: number } {
  const status = readFileSync(statusPath, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return {
    voluntary: field('voluntary_ctxt_switches'),
    involuntary: field('nonvoluntary_ctxt_switches'),
  };
}

/**
 * Context switches so far. `mainVoluntary` is the main thread's voluntary switches: each time the
 * event loop went to sleep in epoll and was woken again — its wake-ups. `allThreads` adds every
 * thread's switches, voluntary or not (libuv's pool, V8's GC and compiler threads).
 */
export function contextSwitches(pid: number | undefined): {
  mainVoluntary: number;
  allThreads: number;
} {
  try {
    const main = switchesOf(`/proc/${pid}/status`);
    let allThreads = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const { voluntary, involuntary } = switchesOf(`/proc/${pid}/task/${task}/status`);
        allThreads += voluntary + involuntary;
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return { mainVoluntary: main.voluntary, allThreads };
  } catch {
    return { mainVoluntary: 0, allThreads: 0 };
  }
}
