/**
 * The auditors' report for the admin web UI: the same report as
 * `wardgate report`, built from the data dir's decision logs. The admin
 * server runs in the serving process, so the lines are read and counted in
 * worker threads (the proxy's event loop never parses a line), and one
 * report is built at a time: a second asker gets a clear "busy" answer
 * rather than a second pass over the logs competing with the proxy.
 */
import { WfError } from '../errors.ts';
import { decisionLogDir } from '../log/log-files.ts';
import { buildReport, buildReportFilter, type Report, type ReportFilterInput } from '../report/index.ts';

/** Rows of "top blocked domains" on the page, as the CLI's default. */
const TOP_DOMAINS = 20;

export interface ReportSource {
  /** Bad filters: WF_ERR_USAGE/INVALID_INPUT; no logs yet: WF_ERR_NOT_FOUND; another report being built: WF_ERR_CONFLICT. */
  build(input: ReportFilterInput): Promise<Report>;
}

export function createReportSource(dataDir: string, now: () => number): ReportSource {
  let building = false;
  return {
    async build(input: ReportFilterInput): Promise<Report> {
      const filter = buildReportFilter(input);
      if (building) throw new WfError('WF_ERR_CONFLICT', 'another report is being built right now; try again in a moment');
      building = true;
      try {
        return await buildReport({ logDir: decisionLogDir(dataDir), filter, top: TOP_DOMAINS, offThread: true, now: () => new Date(now()) });
      } finally {
        building = false;
      }
    },
  };
}
