/**
 * The report's public surface, for the CLI and for the admin web UI (which
 * shows the same report: buildReport + renderReportBody + REPORT_CSS).
 */
export { buildReport, type BuildReportOptions, type ReportProgress } from './build-report.ts';
export { buildReportFilter, parseReportDate, NO_FILTER, REPORT_DECISIONS, type ReportFilter, type ReportFilterInput } from './report-filter.ts';
export { ReportCollector } from './report-collector.ts';
export type { Report } from './report-model.ts';
export { renderReportBody, renderReportHtml, REPORT_CSS } from './render-html.ts';
export { renderTable } from './render-table.ts';
export { renderCsv } from './render-csv.ts';
export { renderJson } from './render-json.ts';
export { renderReport, REPORT_FORMATS, type ReportFormat } from './render-report.ts';
