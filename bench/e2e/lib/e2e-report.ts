/** bench/results/e2e.md: the e2e results as tables, one per list set (figure × direct / wardgate / ratio). */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the runner's own JSON, read back for display

const fmt = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-GB') : String(v)) : String(v));
const x = (v: unknown): string => (typeof v === 'number' ? `${v.toFixed(2)}×` : '—');

function rows(set: Json): string[] {
  const out: string[] = [];
  const row = (figure: string, direct: unknown, proxy: unknown, r: unknown) => out.push(`| ${figure} | ${fmt(direct)} | ${fmt(proxy)} | ${x(r)} |`);
  const failed = (name: string) => (set[name]?.failed ? (out.push(`| ${name} | failed: ${set[name].failed} | | |`), true) : false);
  for (const name of ['small', 'page']) {
    const s = set[name];
    if (s === undefined || failed(name)) continue;
    row(`${name}: req/s (64 conns)`, s.direct.rps, s.proxy.rps, s.ratio.rps);
    row(`${name}: wardgate CPU µs per request`, null, s.proxy.cpuUsPerRequest, null);
    row(`${name}: p99 at max rate (ms)`, s.direct.p99Ms, s.proxy.p99Ms, s.proxy.p99Ms / Math.max(s.direct.p99Ms, 0.001));
    for (const [key, label] of [['at50pct', '50 %'], ['at90pct', '90 %']] as const) {
      const l = s.latency[key];
      out.push(
        `| ${name}: added latency at ${label} of max (${fmt(l.rate)} req/s${s.latency.pacerMaxRps === undefined ? '' : ` of the pacing client's ${fmt(s.latency.pacerMaxRps)}`}) p50 / p99 / p99.9 ms | ${l.direct.p50Ms} / ${l.direct.p99Ms} / ${l.direct.p999Ms} | ${l.proxy.p50Ms} / ${l.proxy.p99Ms} / ${l.proxy.p999Ms} | ${signed(l.addedMs.p50)} / ${signed(l.addedMs.p99)} / ${signed(l.addedMs.p999)} ms |`,
      );
      if (l.proxy.leadIn !== undefined && l.direct.leadIn !== undefined) {
        const lead = (f: { p50Ms: number; p99Ms: number; maxMs: number }) => `${f.p50Ms} / ${f.p99Ms} / max ${f.maxMs}`;
        out.push(`| ${name}: its first ${l.proxy.leadIn.seconds} s (lead-in, not in the row above) p50 / p99 ms | ${lead(l.direct.leadIn)} | ${lead(l.proxy.leadIn)} | |`);
      }
    }
  }
  const b = set.big;
  if (b !== undefined && !failed('big')) {
    row(`big: MB/s (${b.bytes / 2 ** 20} MiB)`, b.direct.mbps, b.proxy.mbps, b.ratio.mbps);
    row('big: proxy peak RSS (MiB)', null, b.proxy.rssPeakMiB, null);
  }
  const c = set.connect;
  if (c !== undefined && !failed('connect')) {
    row('connect: tunnels/s (CONNECT+TLS+GET, 16 at a time)', c.direct.tunnelsPerSecond, c.proxy.tunnelsPerSecond, c.ratio.tunnelsPerSecond);
    row('connect: MB/s (one TLS download)', c.direct.mbps, c.proxy.mbps, c.ratio.mbps);
    row('connect: proxy peak RSS (MiB)', null, c.proxy.rssPeakMiB, null);
  }
  const w = set.websocket;
  if (w !== undefined && !failed('websocket')) row('websocket: messages/s (16 conns × 8 in flight)', w.direct.messagesPerSecond, w.proxy.messagesPerSecond, w.ratio.messagesPerSecond);
  const bl = set.blocked;
  if (bl !== undefined && !failed('blocked')) {
    row('blocked: block pages/s (direct: origin /small)', bl.direct.rps, bl.proxy.rps, bl.ratio.rps);
    row('blocked: wardgate CPU µs per block page', null, bl.proxy.cpuUsPerRequest, null);
    row('blocked ÷ small through wardgate', null, null, bl.ratio.rpsToProxySmall);
  }
  const m = set.mixed;
  if (m !== undefined && !failed('mixed')) row(`mixed: req/s (${m.members} members; of 20: ${Object.entries(m.sharesOf20).map(([k, v]) => `${v} ${k}`).join(', ')})`, m.direct.rps, m.proxy.rps, m.ratio.rps);
  if (m !== undefined && !m.failed) row('mixed: wardgate CPU µs per request', null, m.proxy.cpuUsPerRequest, null);
  return out;
}

/** What wardgate adds, signed: direct can come out slower than through the proxy on a noisy machine. */
function signed(ms: number): string {
  return ms < 0 ? `−${-ms}` : `+${ms}`;
}

export function renderE2eMarkdown(results: Json): string {
  const m = results.machine;
  const lines = [
    `# e2e benchmark — ${results.date.slice(0, 16).replace('T', ' ')} UTC${results.quick ? ' (--quick)' : ''}${results.workers ? `, --workers ${results.workers}` : ''}`,
    '',
    `${m.cpus} CPUs (${m.model}), ${m.memoryGiB} GiB, Node ${m.node}; load average at start ${m.loadAverageAtStart.join(' / ')} (other work on the machine). ${results.sharing}. Ratio = wardgate ÷ direct in the same run; for latency the last column is what wardgate adds. Run took ${results.durationSeconds} s.`,
    '',
  ];
  for (const [name, set] of Object.entries(results.sets as Record<string, Json>)) {
    lines.push(`## ${name}${set.lists ? ` — ${set.lists}` : ''}`, '');
    if (set.skipped) {
      lines.push(`Skipped: ${set.skipped}.`, '');
      continue;
    }
    lines.push(`Load average before: ${set.loadAverageBefore.join(' / ')}; wardgate RSS at start ${set.proxyRssAtStartMiB} MiB, at end ${set.proxyRssAtEndMiB} MiB.`, '');
    lines.push('| figure | direct | wardgate | ratio |', '|---|---:|---:|---:|', ...rows(set), '');
  }
  return `${lines.join('\n')}\n`;
}
