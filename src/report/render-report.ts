/** Picks the renderer for a format name. */
import { renderCsv } from './render-csv.ts';
import { renderReportHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import type { Report } from './report-model.ts';
import { renderTable } from './render-table.ts';

export const REPORT_FORMATS = ['table', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Record<ReportFormat, (report: Report) => string> = {
  table: renderTable,
  csv: renderCsv,
  json: renderJson,
  html: renderReportHtml,
};

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

export function renderReport(report: Report, format: ReportFormat): string {
  return RENDERERS[format](report);
}
