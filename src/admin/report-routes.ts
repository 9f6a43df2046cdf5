/**
 * The Reports page of the admin web UI (administrators and auditors): the
 * same report as `wardgate report`, with the same filters, shown in the page
 * and downloadable as CSV, JSON or one self-contained HTML file. Without any
 * filter in the address it shows the last seven days.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WfError } from '../errors.ts';
import { renderReport, renderReportBody, type ReportFilterInput } from '../report/index.ts';
import { requireRole } from './grant-service.ts';
import type { Html } from './html.ts';
import { toHttpProblem } from './http-errors.ts';
import type { PageContext } from './pages/layout.ts';
import { reportsPage, type ReportFormValues } from './pages/other-pages.ts';
import type { ReportSource } from './report-source.ts';
import { optionalText, type Fields } from './request-input.ts';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;
const FIELDS = ['from', 'to', 'member', 'group', 'category', 'decision'] as const;
const DOWNLOADS = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;

type Download = keyof typeof DOWNLOADS;

export interface ReportRouteDeps {
  readonly reports: ReportSource;
  readonly clock: () => number;
  readonly ctxOf: (request: FastifyRequest) => PageContext;
  readonly sendHtml: (reply: FastifyReply, status: number, body: Html) => FastifyReply;
}

/** The form's values: as given once the form was used, else the last seven days (UTC). */
export function reportFormValues(fields: Fields, now: number): ReportFormValues {
  const given = Object.fromEntries(FIELDS.map((name) => [name, optionalText(fields, name)?.trim() ?? ''])) as Record<(typeof FIELDS)[number], string>;
  if (FIELDS.some((name) => name in fields)) return given;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { ...given, from: day(now - (DEFAULT_DAYS - 1) * DAY_MS), to: day(now) };
}

function filterInput(values: ReportFormValues): ReportFilterInput {
  const list = (text: string) => (text === '' ? undefined : [text]);
  return {
    from: values.from === '' ? undefined : values.from,
    to: values.to === '' ? undefined : values.to,
    members: list(values.member),
    groups: list(values.group),
    categories: list(values.category),
    decisions: list(values.decision),
  };
}

export function reportPageHandler(deps: ReportRouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = deps.ctxOf(request);
    requireRole(ctx.staff, ['admin', 'auditor'], 'reports');
    const values = reportFormValues(request.query as Fields, deps.clock());
    try {
      const report = await deps.reports.build(filterInput(values));
      return deps.sendHtml(reply, 200, reportsPage(ctx, values, renderReportBody(report)));
    } catch (error) {
      const problem = toHttpProblem(error);
      if (problem.status >= 500) throw error;
      // No decision logs yet is the state of a new installation, not a fault of the request.
      const status = problem.status === 404 ? 200 : problem.status;
      return deps.sendHtml(reply, status, reportsPage(ctx, values, null, { kind: 'error', text: problem.message }));
    }
  };
}

export function reportDownloadHandler(deps: ReportRouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    requireRole(deps.ctxOf(request).staff, ['admin', 'auditor'], 'reports');
    const fields = request.query as Fields;
    const format = optionalText(fields, 'format') ?? 'csv';
    if (!(format in DOWNLOADS)) throw new WfError('WF_ERR_INVALID_INPUT', `format must be one of ${Object.keys(DOWNLOADS).join(', ')}`);
    const values = reportFormValues(fields, deps.clock());
    const report = await deps.reports.build(filterInput(values));
    const name = `wardgate-report-${values.from || 'start'}-to-${values.to || 'end'}.${format}`;
    return reply
      .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .type(DOWNLOADS[format as Download])
      .send(renderReport(report, format as Download));
  };
}
