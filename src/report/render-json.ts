/** The report as one JSON document: the Report object itself (report-model.ts is its schema). */
import type { Report } from './report-model.ts';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
