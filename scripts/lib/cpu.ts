/**
 * CPU time from /proc (Linux): a steadier measure of what a request costs than a rate on a shared 2-core machine,
 * where the load generator, PostgreSQL and Redis compete for the same cores.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat on Linux. */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  parent: number;
  ticks: number;
}

function timesOf(pid: number): ProcessTimes | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** User and system CPU milliseconds used so far by `root` and every process below it (all their threads). */
export function processTreeCpuMs(root: number): number {
  const all = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const times = timesOf(Number(entry));
    if (times) all.set(Number(entry), times);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = all.get(p)?.parent) if (p === root) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, times] of all) if (inTree(pid)) ticks += times.ticks;
  return (ticks * 1000) / TICKS_PER_SECOND;
}
