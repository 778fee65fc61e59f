// Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC the way the
// hub does (Scheduling/CronExpression.swift), so the panel can list a schedule's next runs.
//
// Each field takes `*`, numbers, ranges `a-b`, steps `*/n`, `a-b/n` or `a/n` (from a to the field's end),
// and comma lists of these. Day of week runs 0-7 (0 and 7 are Sunday). When both day fields are
// restricted, a day matching either runs (as in Vixie cron).

const FIELDS = [
  { name: 'minute', low: 0, high: 59 },
  { name: 'hour', low: 0, high: 23 },
  { name: 'day of month', low: 1, high: 31 },
  { name: 'month', low: 1, high: 12 },
  { name: 'day of week', low: 0, high: 7 },
];

const INTEGER = /^\d+$/;

function invalid(field, text) {
  return new Error(`the ${field.name} field '${text}' is not valid (values ${field.low}-${field.high}, *, a-b, */n, lists)`);
}

function parseField(text, field) {
  const values = new Set();
  for (const part of text.split(',')) {
    const pieces = part.split('/');
    if (pieces.length > 2) throw invalid(field, text);
    let step = 1;
    if (pieces.length === 2) {
      if (!INTEGER.test(pieces[1]) || Number(pieces[1]) <= 0) throw invalid(field, text);
      step = Number(pieces[1]);
    }
    let low = field.low;
    let high = field.high;
    if (pieces[0] !== '*') {
      const bounds = pieces[0].split('-');
      if (bounds.length > 2 || !bounds.every((b) => INTEGER.test(b))) throw invalid(field, text);
      low = Number(bounds[0]);
      const last = Number(bounds[bounds.length - 1]);
      if (low < field.low || last > field.high || low > last) throw invalid(field, text);
      high = bounds.length === 2 ? last : (pieces.length === 2 ? field.high : low);
    }
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

/** Parses `text`; throws an Error naming the field that is wrong. */
export function parseCron(text) {
  const fields = String(text || '').trim().split(/[ \t]+/).filter(Boolean);
  if (fields.length !== 5) {
    throw new Error(`needs five fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  }
  const [minutes, hours, days, months, weekdays] = fields.map((f, i) => parseField(f, FIELDS[i]));
  return {
    text: fields.join(' '),
    minutes,
    hours,
    days,
    months,
    weekdays: new Set([...weekdays].map((d) => d % 7)),
    dayRestricted: fields[2] !== '*',
    weekdayRestricted: fields[4] !== '*',
  };
}

function dayMatches(cron, date) {
  const day = cron.days.has(date.getUTCDate());
  const weekday = cron.weekdays.has(date.getUTCDay());
  return cron.dayRestricted && cron.weekdayRestricted ? day || weekday : day && weekday;
}

/** The first minute strictly after `after` that `cron` (parsed) matches, or null within five years. */
export function nextRun(cron, after) {
  const start = after instanceof Date ? after.getTime() : new Date(after).getTime();
  const limit = start + 5 * 366 * 86_400_000;
  let t = new Date(Math.floor(start / 60_000) * 60_000 + 60_000);
  while (t.getTime() < limit) {
    const y = t.getUTCFullYear();
    const m = t.getUTCMonth();
    const d = t.getUTCDate();
    if (!cron.months.has(m + 1) || !dayMatches(cron, t)) {
      t = new Date(Date.UTC(y, m, d + 1));
      continue;
    }
    if (!cron.hours.has(t.getUTCHours())) {
      t = new Date(Date.UTC(y, m, d, t.getUTCHours() + 1));
      continue;
    }
    if (cron.minutes.has(t.getUTCMinutes())) return t;
    t = new Date(t.getTime() + 60_000);
  }
  return null;
}

/** The next `count` runs of `cron` (text or parsed) after `after` (a first run already known may be given). */
export function nextRuns(cron, count = 5, after = new Date(), first = null) {
  const parsed = typeof cron === 'string' ? parseCron(cron) : cron;
  const runs = first ? [new Date(first)] : [];
  let from = first ? new Date(first) : after;
  while (runs.length < count) {
    const next = nextRun(parsed, from);
    if (!next) break;
    runs.push(next);
    from = next;
  }
  return runs;
}
