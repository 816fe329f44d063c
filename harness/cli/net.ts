/**
 * A server that cannot listen, said in the user's terms (instead of Node's `listen EADDRINUSE` stack).
 * @module
 */

/** What went wrong listening on host:port, and what to do. */
export function listenProblem(e: unknown, host: string, port: number, option = '--port'): string {
  const code = (e as NodeJS.ErrnoException).code;
  const at = host + ':' + port;
  if (code === 'EADDRINUSE') return 'port ' + at + ' is already in use (another server, or an earlier run still going?): choose another with ' + option + ' N, or ' + option + ' 0 for any free port';
  if (code === 'EACCES') return 'not allowed to listen on ' + at + ' (ports below 1024 need privileges): choose ' + option + ' 1024 or above';
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return host + ' is not an address of this machine: use 127.0.0.1';
  return 'cannot listen on ' + at + ': ' + ((e as Error).message || String(e));
}
