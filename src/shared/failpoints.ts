/**
 * Named points where a process kills itself with SIGKILL when FAILPOINTS lists them. Tests use them to prove
 * that a worker killed at the worst moment of a deposit loses nothing and deposits nothing twice. Unset in
 * production, they cost one array lookup.
 */
export type FailpointName = 'deposit:before-call' | 'deposit:after-response';

export function failpoint(enabled: readonly string[], name: FailpointName): void {
  if (enabled.includes(name)) process.kill(process.pid, 'SIGKILL');
}
