/**
 * Small inline-SVG charts for the HTML report, written here rather than
 * taken from a charting library so the report stays one self-contained file
 * with no script. Each chart is an accessible image (`role="img"`, a
 * <title> and a <desc> summarising the data) and is always followed in the
 * report by a table of the same numbers. Every label is escaped.
 */
import { escapeHtml } from './html-escape.ts';

export interface BarRow {
  readonly label: string;
  readonly value: number;
}

export interface ChartText {
  /** Unique within the page: used for the title/desc ids. */
  readonly id: string;
  readonly title: string;
  readonly desc: string;
}

/** Colour-blind-safe-ish palette (Okabe–Ito plus darker tones); "other" is grey. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#8C564B', '#332288', '#882255'];
const OTHER_COLOUR = '#999999';
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function open(text: ChartText, width: number, height: number): string {
  const id = escapeHtml(text.id);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `aria-labelledby="${id}-title ${id}-desc" data-chart="${id}">` +
    `<title id="${id}-title">${escapeHtml(text.title)}</title><desc id="${id}-desc">${escapeHtml(text.desc)}</desc>`
  );
}

function shorten(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

/** Horizontal bars, largest first as given; each bar has its own <title> (the full label and value). */
export function horizontalBarChart(text: ChartText, rows: readonly BarRow[]): string {
  const labelWidth = 220;
  const barArea = 420;
  const rowHeight = 22;
  const width = labelWidth + barArea + 90;
  const height = Math.max(1, rows.length) * rowHeight + 10;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const parts = [open(text, width, height)];
  if (rows.length === 0) parts.push(`<text x="10" y="20" ${FONT}>No data</text>`);
  rows.forEach((row, i) => {
    const y = 5 + i * rowHeight;
    const w = Math.max(row.value > 0 ? 1 : 0, Math.round((row.value / max) * barArea));
    parts.push(
      `<g class="bar"><title>${escapeHtml(`${row.label}: ${row.value}`)}</title>` +
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" ${FONT}>${escapeHtml(shorten(row.label, 34))}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 6}" fill="${SERIES_COLOURS[0]}"/>` +
        `<text x="${labelWidth + w + 6}" y="${y + 15}" ${FONT}>${escapeHtml(row.value.toLocaleString('en-GB'))}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface DaySeries {
  readonly name: string;
  /** Value per day, same order and length as `days`. */
  readonly values: readonly number[];
}

/**
 * Stacked bars per day, one colour per series (the first SERIES_COLOURS.length
 * series; pass the rest summed as "other"), with a legend below.
 */
export function stackedDayChart(text: ChartText, days: readonly string[], series: readonly DaySeries[]): string {
  const left = 50;
  const plotWidth = 660;
  const plotHeight = 200;
  const top = 10;
  const legendRows = Math.ceil(series.length / 3);
  const width = left + plotWidth + 20;
  const height = top + plotHeight + 40 + legendRows * 20;
  const totals = days.map((_, d) => series.reduce((sum, s) => sum + (s.values[d] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.8);
  const y = (v: number): number => top + plotHeight - (v / max) * plotHeight;
  const parts = [open(text, width, height)];
  // Axes and three gridlines with their values.
  for (const v of [0, max / 2, max]) {
    const gy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${gy}" y2="${gy}" stroke="#ccc"/>`);
    parts.push(`<text x="${left - 6}" y="${gy}" dy="4" text-anchor="end" ${FONT}>${escapeHtml(Math.round(v).toLocaleString('en-GB'))}</text>`);
  }
  if (days.length === 0) parts.push(`<text x="${left + 10}" y="${top + plotHeight / 2}" ${FONT}>No blocked attempts</text>`);
  days.forEach((day, d) => {
    const x = (left + d * slot + (slot - barWidth) / 2).toFixed(1);
    let base = 0;
    const rects: string[] = [];
    const detail: string[] = [];
    series.forEach((s, i) => {
      const v = s.values[d] ?? 0;
      if (v <= 0) return;
      const y0 = y(base + v);
      rects.push(`<rect x="${x}" y="${y0.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - y0).toFixed(1)}" fill="${colour(i, s.name)}"/>`);
      detail.push(`${s.name} ${v}`);
      base += v;
    });
    parts.push(`<g class="bar"><title>${escapeHtml(`${day}: ${totals[d]} blocked (${detail.join(', ')})`)}</title>${rects.join('')}</g>`);
  });
  // First, middle and last day under the axis.
  const labelled = new Set([0, Math.floor((days.length - 1) / 2), days.length - 1]);
  for (const d of labelled) {
    if (d < 0 || d >= days.length) continue;
    const x = (left + d * slot + slot / 2).toFixed(1);
    parts.push(`<text x="${x}" y="${top + plotHeight + 16}" text-anchor="middle" ${FONT}>${escapeHtml(days[d]!)}</text>`);
  }
  series.forEach((s, i) => {
    const lx = left + (i % 3) * 220;
    const ly = top + plotHeight + 32 + Math.floor(i / 3) * 20;
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${colour(i, s.name)}"/><text x="${lx + 18}" y="${ly + 11}" ${FONT}>${escapeHtml(shorten(s.name, 28))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function colour(i: number, name: string): string {
  return name === OTHER_SERIES ? OTHER_COLOUR : SERIES_COLOURS[i % SERIES_COLOURS.length]!;
}

/** Name of the series that sums the categories beyond the palette. */
export const OTHER_SERIES = 'other categories';
