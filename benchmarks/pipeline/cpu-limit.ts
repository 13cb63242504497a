// CPU limits for benchmark processes, the way a Kubernetes pod's `resources.limits.cpu` is
// enforced: a Linux cgroup with a CFS quota (so many microseconds of CPU per 100 ms period).
//
// Why the scale-out benchmark needs it: on a development machine every process already shares
// all its cores, so a second replica only competes with the first — adding replicas cannot raise
// throughput once the machine is saturated (docs/scaling.md). In a cluster each replica is a pod
// with its own CPU limit, and a replica adds that much CPU. Limiting each replica here to a slice
// of a core reproduces that as long as the machine keeps headroom for the slices.
//
// cgroup v2 (`cpu.max`) and v1 (`cpu/cpu.cfs_quota_us`) are both handled; writing cgroups needs
// root (or a delegated cgroup). Nothing here is used outside benchmarks.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PERIOD_US = 100_000;

interface Layout {
  /** Directory under which this benchmark's cgroups are made. */
  root: string;
  /** Writes the quota into a fresh cgroup directory. */
  setQuota(dir: string, quotaUs: number): void;
  /** Times the cgroup was throttled and for how long (from cpu.stat). */
  throttled(dir: string): { periods: number; throttledPeriods: number; throttledMs: number };
}

function stat(dir: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of readFileSync(join(dir, 'cpu.stat'), 'utf8').split('\n')) {
    const [key, value] = line.split(' ');
    if (key) values.set(key, Number(value));
  }
  return values;
}

function detectLayout(): Layout {
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  if (existsSync(v2) && readFileSync(v2, 'utf8').split(/\s+/).includes('cpu')) {
    // v2: the parent must delegate the cpu controller to its children.
    const root = '/sys/fs/cgroup/shopwire-bench';
    mkdirSync(root, { recursive: true });
    writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+cpu');
    writeFileSync(join(root, 'cgroup.subtree_control'), '+cpu');
    return {
      root,
      setQuota: (dir, quotaUs) => writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`),
      throttled: (dir) => {
        const s = stat(dir);
        return {
          periods: s.get('nr_periods') ?? 0,
          throttledPeriods: s.get('nr_throttled') ?? 0,
          throttledMs: (s.get('throttled_usec') ?? 0) / 1000,
        };
      },
    };
  }
  const v1 = '/sys/fs/cgroup/cpu';
  if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
    const root = join(v1, 'shopwire-bench');
    mkdirSync(root, { recursive: true });
    return {
      root,
      setQuota: (dir, quotaUs) => {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
      },
      throttled: (dir) => {
        const s = stat(dir);
        return {
          periods: s.get('nr_periods') ?? 0,
          throttledPeriods: s.get('nr_throttled') ?? 0,
          throttledMs: (s.get('throttled_time') ?? 0) / 1e6,
        };
      },
    };
  }
  throw new Error('no cgroup cpu controller found under /sys/fs/cgroup');
}

/** One process's CPU limit: a cgroup holding just that process. */
export interface CpuLimit {
  readonly cores: number;
  /** Moves the process (all its threads) into the limited cgroup. */
  attach(pid: number): void;
  throttled(): { periods: number; throttledPeriods: number; throttledMs: number };
  /** Removes the cgroup; the process must have exited. Never throws. */
  remove(): void;
}

let layout: Layout | null = null;

/**
 * A cgroup named `name` limited to `cores` CPUs (0.1 = 10 ms per 100 ms period). Throws with a
 * clear message when cgroups cannot be written (not root, no cpu controller).
 */
export function cpuLimit(name: string, cores: number): CpuLimit {
  if (!(cores > 0)) throw new Error(`CPU limit must be a positive number of cores, got ${cores}`);
  try {
    layout ??= detectLayout();
    const dir = join(layout.root, name);
    mkdirSync(dir, { recursive: true });
    layout.setQuota(dir, Math.round(cores * PERIOD_US));
    const { throttled } = layout;
    return {
      cores,
      attach: (pid) => writeFileSync(join(dir, 'cgroup.procs'), String(pid)),
      throttled: () => throttled(dir),
      remove: () => {
        try {
          rmdirSync(dir);
        } catch {
          // still has a process (a kill that has not been reaped yet) or already gone
        }
      },
    };
  } catch (error) {
    throw new Error(
      `BENCH_CPU_LIMIT needs a writable cgroup cpu controller (run as root on Linux): ${String(error)}`,
    );
  }
}
