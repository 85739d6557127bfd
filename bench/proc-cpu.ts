// CPU time of another process from /proc/<pid>/stat (utime + stime), in milliseconds (Linux).
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100

export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Field 2 (comm) may contain spaces; fields after the closing paren are space separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / TICKS_PER_SECOND
}
