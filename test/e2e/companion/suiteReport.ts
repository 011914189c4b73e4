/**
 * How the harness and the companion extension talk: the harness starts code-server with these variables (its
 * extension host inherits them), the companion loads the suite bundle and leaves mocha's JSON report in the file.
 */
export const SUITE_BUNDLE_ENV = 'REMOTE_SWARM_SUITE_BUNDLE';
export const SUITE_REPORT_ENV = 'REMOTE_SWARM_SUITE_REPORT';

export const RUN_SUITE_COMMAND_TITLE = 'Remote Swarm Tests: Run Extension-Host Suite';

/** Mocha's JSON reporter output, as far as the harness reads it; `error` when the suite could not even run. */
export interface SuiteReport {
  stats?: { tests: number; passes: number; failures: number; pending: number; duration: number };
  passes?: { fullTitle: string }[];
  failures?: { fullTitle: string; err: { message?: string; stack?: string } }[];
  pending?: { fullTitle: string }[];
  error?: string;
}
