/* svg.h - the inline SVG charts of report.html (DESIGN §13): line charts
 * (ROC, PR, calibration), bar charts with interval whiskers and a shaded band
 * (per-group selection rates), a histogram (latency, log-scale x) and a delta
 * chart (a comparison's differences with their intervals).
 *
 * Every chart is one <figure> holding an <svg> that draws without scripts,
 * and carries the numbers it draws in data attributes (shortest round-trip
 * decimals, as in the JSON files), so a test can compare them with the JSON:
 * a series' `data-points` is a JSON array of [x, y] pairs (null for an
 * undefined coordinate), a bar's `data-value`/`data-ci-low`/`data-ci-high`, a
 * histogram bin's `data-low`/`data-high`/`data-count`, a delta's
 * `data-metric`/`data-value`/`data-ci-low`/`data-ci-high`. An undefined
 * value (NaN) has no attribute. Internal to lib/report. */
#ifndef MG_REPORT_SVG_H
#define MG_REPORT_SVG_H

#include "internal.h"

/* Appends s[0..len) escaped for HTML/SVG text and attribute values: & < > " '
 * as character references, every invalid UTF-8 sequence and every control
 * character but tab, line feed and carriage return as U+FFFD. */
void mg__svg_escape(mg__buf *b, const char *s, size_t len);

/* Appends v as its shortest round-trip decimal ("null" when not finite),
 * whatever the locale. */
void mg__svg_number(mg__buf *b, double v);

/* Appends v rounded to `digits` significant digits for reading (0.9162,
 * 15990, 1.235e-05), whatever the locale; "n/a" when not finite. */
void mg__svg_short(mg__buf *b, double v, int digits);

/* One line of a line chart: n points (x[i], y[i]); a NaN coordinate breaks
 * the line there. Borrowed. */
typedef struct mg__svg_series {
    const char *name; /* legend text (escaped here) */
    const double *x, *y;
    size_t n;
} mg__svg_series;

/* Points with vertical interval whiskers drawn over a line chart
 * (calibration bins): lo/hi NaN = no whisker; count < 0 = unknown. */
typedef struct mg__svg_marks {
    const double *x, *y, *lo, *hi;
    const int64_t *count;
    size_t n;
} mg__svg_marks;

/* Where a chart's legend goes: the corner of the plot its lines leave free. */
enum { MG__SVG_LEGEND_TOP_RIGHT = 0, MG__SVG_LEGEND_BOTTOM_RIGHT, MG__SVG_LEGEND_TOP_LEFT,
       MG__SVG_LEGEND_BOTTOM_LEFT };

typedef struct mg__svg_line_chart {
    const char *id;                      /* the figure's id attribute (plain ASCII) */
    const char *title, *x_label, *y_label; /* escaped here */
    double x_min, x_max, y_min, y_max;
    bool diagonal; /* the dashed line y = x (chance ROC, perfect calibration) */
    const mg__svg_series *series;
    int nseries;
    const mg__svg_marks *marks; /* NULL = none */
    const char *note;           /* a caption line under the chart (escaped); NULL = none */
    int legend;                 /* MG__SVG_LEGEND_* */
} mg__svg_line_chart;

void mg__svg_draw_line_chart(mg__buf *b, const mg__svg_line_chart *c);

/* One bar: `label_html` is SVG text markup already escaped by the caller
 * (escaped text and <tspan>s only: an HTML <em> would close the <svg>; a group
 * value may need italics), `key` a plain-text identity written to the bar's
 * data-group attribute (escaped here). value NaN draws no bar; lo/hi NaN draw
 * no whisker. */
typedef struct mg__svg_bar {
    const char *label_html;
    const char *key;
    double value, lo, hi;
    int64_t n; /* rows behind the bar, < 0 = unknown */
} mg__svg_bar;

typedef struct mg__svg_bar_chart {
    const char *id, *title, *value_label;
    const mg__svg_bar *bars;
    int nbars;
    double v_min, v_max;     /* the value axis */
    double band_lo, band_hi; /* the shaded band; NaN = none */
    const char *band_label;  /* its legend text (escaped here) */
    double ref;              /* a reference line (the overall rate); NaN = none */
    const char *ref_label;
    const char *note;
} mg__svg_bar_chart;

void mg__svg_draw_bar_chart(mg__buf *b, const mg__svg_bar_chart *c);

/* A vertical marker line on a histogram (p50, p99, a gate's threshold). */
typedef struct mg__svg_vline {
    const char *label;
    double x;
} mg__svg_vline;

/* n bins: edges[0..n], counts[0..n). With log_x every edge must be > 0 (the
 * caller checks). */
typedef struct mg__svg_histogram {
    const char *id, *title, *x_label, *y_label;
    const double *edges, *counts;
    size_t n;
    bool log_x;
    const mg__svg_vline *lines;
    int nlines;
    const char *note;
} mg__svg_histogram;

void mg__svg_draw_histogram(mg__buf *b, const mg__svg_histogram *c);

/* One row of a delta chart: the difference with its interval (NaN = none). */
typedef struct mg__svg_delta {
    const char *metric;
    double value, lo, hi;
    bool lower_is_better;
} mg__svg_delta;

typedef struct mg__svg_delta_chart {
    const char *id, *title;
    const mg__svg_delta *rows;
    int nrows;
    const char *note;
} mg__svg_delta_chart;

void mg__svg_draw_delta_chart(mg__buf *b, const mg__svg_delta_chart *c);

#endif
