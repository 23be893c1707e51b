/* svg.c - the inline SVG charts of report.html (see svg.h). Coordinates are
 * printed in fixed point with integer arithmetic and numbers through
 * mg_format_double, so the output is the same bytes in every locale. */
#include "report/svg.h"

#include <math.h>

/* Plot geometry in the viewBox's units. */
enum { LINE_W = 520, LINE_H = 360, ML = 64, MR = 20, MT = 34, MB = 52 };
enum { BAR_W = 640, BAR_LABEL = 270, BAR_ROW = 28 };

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

void mg__svg_escape(mg__buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep != NULL) {
            mg__buf_puts(b, rep);
            i++;
        } else if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                mg__buf_puts(b, "\xEF\xBF\xBD");
            else
                mg__buf_append(b, &p[i], 1);
            i++;
        } else {
            bool ok;
            size_t n = mg__utf8_decode(p + i, len - i, &ok);
            /* C1 controls (U+0080..U+009F, C2 80..C2 9F) are not text either. */
            if (!ok || (n == 2 && c == 0xC2 && p[i + 1] < 0xA0))
                mg__buf_puts(b, "\xEF\xBF\xBD");
            else
                mg__buf_append(b, p + i, n);
            i += n;
        }
    }
}

static void esc(mg__buf *b, const char *s) {
    if (s != NULL)
        mg__svg_escape(b, s, strlen(s));
}

void mg__svg_number(mg__buf *b, double v) {
    if (!isfinite(v)) {
        mg__buf_puts(b, "null");
        return;
    }
    char buf[40];
    int n = mg_format_double(v, buf, sizeof buf);
    if (n > 0 && (size_t)n < sizeof buf)
        mg__buf_append(b, buf, (size_t)n);
}

void mg__svg_short(mg__buf *b, double v, int digits) {
    if (!isfinite(v)) {
        mg__buf_puts(b, "n/a");
        return;
    }
    if (v == 0) {
        mg__buf_puts(b, "0");
        return;
    }
    /* Round to `digits` significant digits; the shortest round-trip form of
     * the rounded double is then the short decimal itself. */
    int e = (int)floor(log10(fabs(v)));
    int k = digits - 1 - e;
    double r;
    if (k >= 0 && k <= 300) {
        double p = pow(10, k);
        r = round(v * p) / p;
    } else if (k < 0 && k >= -300) {
        double p = pow(10, -k);
        r = round(v / p) * p;
    } else {
        r = v;
    }
    if (!isfinite(r))
        r = v;
    mg__svg_number(b, r);
}

/* A coordinate with two decimals, locale-free. */
static void coord(mg__buf *b, double v) {
    if (!isfinite(v))
        v = 0;
    if (v > 1e9)
        v = 1e9;
    if (v < -1e9)
        v = -1e9;
    int64_t h = (int64_t)llround(v * 100);
    if (h < 0) {
        mg__buf_puts(b, "-");
        h = -h;
    }
    mg__buf_printf(b, "%" PRId64, h / 100);
    if (h % 100 != 0)
        mg__buf_printf(b, ".%02" PRId64, h % 100);
}

/* ` name="coordinate"` */
static void attr_c(mg__buf *b, const char *name, double v) {
    mg__buf_printf(b, " %s=\"", name);
    coord(b, v);
    mg__buf_puts(b, "\"");
}

/* ` data-NAME="number"`, nothing when v is undefined. */
static void attr_n(mg__buf *b, const char *name, double v) {
    if (!isfinite(v))
        return;
    mg__buf_printf(b, " data-%s=\"", name);
    mg__svg_number(b, v);
    mg__buf_puts(b, "\"");
}

/* The linear map of [lo, hi] onto [a, b]; a degenerate domain maps to a. */
typedef struct scale {
    double lo, hi, a, b;
    bool log;
} scale;

static double at(const scale *s, double v) {
    double lo = s->lo, hi = s->hi;
    if (s->log) {
        v = v > 0 ? log10(v) : lo;
    }
    if (!(hi > lo))
        return s->a;
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return s->a + (v - lo) / (hi - lo) * (s->b - s->a);
}

static void open_figure(mg__buf *b, const char *id, const char *cls, const char *title, int w,
                        int h) {
    mg__buf_printf(b, "<figure class=\"chart %s\" id=\"%s\">\n", cls, id);
    mg__buf_printf(b,
                   "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                   "aria-labelledby=\"%s-title\">\n<title id=\"%s-title\">",
                   w, h, w, h, id, id);
    esc(b, title);
    mg__buf_puts(b, "</title>\n");
    mg__buf_printf(b, "<text class=\"chart-title\" x=\"%d\" y=\"20\">", ML);
    esc(b, title);
    mg__buf_puts(b, "</text>\n");
}

static void close_figure(mg__buf *b, const char *note) {
    mg__buf_puts(b, "</svg>\n");
    if (note != NULL) {
        mg__buf_puts(b, "<figcaption>");
        esc(b, note);
        mg__buf_puts(b, "</figcaption>\n");
    }
    mg__buf_puts(b, "</figure>\n");
}

static void text_at(mg__buf *b, const char *cls, double x, double y, const char *anchor) {
    mg__buf_printf(b, "<text class=\"%s\"", cls);
    attr_c(b, "x", x);
    attr_c(b, "y", y);
    mg__buf_printf(b, " text-anchor=\"%s\">", anchor);
}

static void line(mg__buf *b, const char *cls, double x1, double y1, double x2, double y2) {
    mg__buf_printf(b, "<line class=\"%s\"", cls);
    attr_c(b, "x1", x1);
    attr_c(b, "y1", y1);
    attr_c(b, "x2", x2);
    attr_c(b, "y2", y2);
    mg__buf_puts(b, "/>\n");
}

/* Tick value i of `n` across [lo, hi], rounded so 0.6 is not 0.6000000000000001. */
static double tick(double lo, double hi, int i, int n) {
    double v = lo + (hi - lo) * i / n;
    return fabs(v) < 1e-12 * (fabs(lo) + fabs(hi) + 1) ? 0 : v;
}

/* Axis frame, ticks and labels of an x-y plot. */
static void axes(mg__buf *b, const scale *sx, const scale *sy, const char *x_label,
                 const char *y_label, bool x_ticks) {
    mg__buf_puts(b, "<rect class=\"frame\"");
    attr_c(b, "x", sx->a);
    attr_c(b, "y", sy->b);
    attr_c(b, "width", sx->b - sx->a);
    attr_c(b, "height", sy->a - sy->b);
    mg__buf_puts(b, "/>\n");
    const int n = 5;
    for (int i = 0; i <= n && x_ticks; i++) {
        double v = tick(sx->lo, sx->hi, i, n);
        double x = sx->a + (sx->b - sx->a) * i / n;
        line(b, "grid", x, sy->a, x, sy->b);
        text_at(b, "tick", x, sy->a + 16, "middle");
        mg__svg_short(b, sx->log ? pow(10, v) : v, 3);
        mg__buf_puts(b, "</text>\n");
    }
    for (int i = 0; i <= n; i++) {
        double v = tick(sy->lo, sy->hi, i, n);
        double y = sy->a + (sy->b - sy->a) * i / n;
        line(b, "grid", sx->a, y, sx->b, y);
        text_at(b, "tick", sx->a - 6, y + 4, "end");
        mg__svg_short(b, v, 3);
        mg__buf_puts(b, "</text>\n");
    }
    if (x_label != NULL) {
        text_at(b, "axis-label", (sx->a + sx->b) / 2, sy->a + 38, "middle");
        esc(b, x_label);
        mg__buf_puts(b, "</text>\n");
    }
    if (y_label != NULL) {
        double cx = 16, cy = (sy->a + sy->b) / 2;
        mg__buf_puts(b, "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"rotate(-90 ");
        coord(b, cx);
        mg__buf_puts(b, " ");
        coord(b, cy);
        mg__buf_puts(b, ")\"");
        attr_c(b, "x", cx);
        attr_c(b, "y", cy);
        mg__buf_puts(b, ">");
        esc(b, y_label);
        mg__buf_puts(b, "</text>\n");
    }
}

/* The legend's box of n entries in a corner of the plot (svg.h's
 * MG__SVG_LEGEND_*), on a white ground so it stays readable over a line. */
static void legend_box(mg__buf *b, int corner, int n, double w, const scale *sx, const scale *sy,
                       double *x, double *y) {
    const double h = 16.0 * n + 8;
    bool right = corner == MG__SVG_LEGEND_TOP_RIGHT || corner == MG__SVG_LEGEND_BOTTOM_RIGHT;
    bool top = corner == MG__SVG_LEGEND_TOP_RIGHT || corner == MG__SVG_LEGEND_TOP_LEFT;
    *x = right ? sx->b - w - 6 : sx->a + 6;
    *y = top ? sy->b + 6 : sy->a - h - 6;
    mg__buf_puts(b, "<rect class=\"legend-box\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#d0d7de\"");
    attr_c(b, "x", *x);
    attr_c(b, "y", *y);
    attr_c(b, "width", w);
    attr_c(b, "height", h);
    mg__buf_puts(b, "/>\n");
}

/* Entry i's line sample and its <text> opened: the caller writes the label
 * and closes it. */
static void legend_open(mg__buf *b, int i, const char *color, const char *dash, double x,
                        double y) {
    double ty = y + 16 + 16 * i;
    mg__buf_printf(b, "<line class=\"legend-line\" stroke=\"%s\" stroke-width=\"2\"%s", color,
                   dash ? dash : "");
    attr_c(b, "x1", x + 6);
    attr_c(b, "y1", ty - 4);
    attr_c(b, "x2", x + 26);
    attr_c(b, "y2", ty - 4);
    mg__buf_puts(b, "/>\n");
    text_at(b, "legend", x + 32, ty, "start");
}

static void legend_entry(mg__buf *b, int i, const char *color, const char *dash, const char *name,
                         double x, double y) {
    legend_open(b, i, color, dash, x, y);
    esc(b, name);
    mg__buf_puts(b, "</text>\n");
}

void mg__svg_draw_line_chart(mg__buf *b, const mg__svg_line_chart *c) {
    open_figure(b, c->id, "line-chart", c->title, LINE_W, LINE_H);
    scale sx = {c->x_min, c->x_max, ML, LINE_W - MR, false};
    scale sy = {c->y_min, c->y_max, LINE_H - MB, MT, false};
    axes(b, &sx, &sy, c->x_label, c->y_label, true);
    if (c->diagonal) {
        mg__buf_puts(b, "<line class=\"diagonal\" stroke=\"#888\" stroke-dasharray=\"4 4\"");
        attr_c(b, "x1", at(&sx, c->x_min));
        attr_c(b, "y1", at(&sy, c->x_min));
        attr_c(b, "x2", at(&sx, c->x_max));
        attr_c(b, "y2", at(&sy, c->x_max));
        mg__buf_puts(b, "/>\n");
    }
    for (int s = 0; s < c->nseries; s++) {
        const mg__svg_series *se = &c->series[s];
        const char *color = palette[s % (int)MG_ARRAY_LEN(palette)];
        mg__buf_printf(b, "<path class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                          "data-series=\"",
                       color);
        esc(b, se->name);
        mg__buf_puts(b, "\" data-points=\"[");
        for (size_t i = 0; i < se->n; i++) {
            mg__buf_puts(b, i ? ",[" : "[");
            mg__svg_number(b, se->x[i]);
            mg__buf_puts(b, ",");
            mg__svg_number(b, se->y[i]);
            mg__buf_puts(b, "]");
        }
        mg__buf_puts(b, "]\" d=\"");
        bool pen = false;
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->x[i]) || !isfinite(se->y[i])) {
                pen = false;
                continue;
            }
            mg__buf_puts(b, pen ? "L" : "M");
            coord(b, at(&sx, se->x[i]));
            mg__buf_puts(b, " ");
            coord(b, at(&sy, se->y[i]));
            pen = true;
        }
        mg__buf_puts(b, "\"/>\n");
    }
    const mg__svg_marks *m = c->marks;
    for (size_t i = 0; m != NULL && i < m->n; i++) {
        if (!isfinite(m->x[i]) || !isfinite(m->y[i]))
            continue;
        double x = at(&sx, m->x[i]);
        mg__buf_puts(b, "<g class=\"mark\"");
        attr_n(b, "x", m->x[i]);
        attr_n(b, "y", m->y[i]);
        attr_n(b, "ci-low", m->lo[i]);
        attr_n(b, "ci-high", m->hi[i]);
        if (m->count != NULL && m->count[i] >= 0)
            mg__buf_printf(b, " data-count=\"%" PRId64 "\"", m->count[i]);
        mg__buf_puts(b, "><title>");
        mg__svg_short(b, m->y[i], 4);
        if (isfinite(m->lo[i]) && isfinite(m->hi[i])) {
            mg__buf_puts(b, " [");
            mg__svg_short(b, m->lo[i], 4);
            mg__buf_puts(b, ", ");
            mg__svg_short(b, m->hi[i], 4);
            mg__buf_puts(b, "]");
        }
        if (m->count != NULL && m->count[i] >= 0)
            mg__buf_printf(b, ", %" PRId64 " rows", m->count[i]);
        mg__buf_puts(b, "</title>");
        if (isfinite(m->lo[i]) && isfinite(m->hi[i]))
            line(b, "whisker", x, at(&sy, m->lo[i]), x, at(&sy, m->hi[i]));
        mg__buf_puts(b, "<circle r=\"3.5\"");
        attr_c(b, "cx", x);
        attr_c(b, "cy", at(&sy, m->y[i]));
        mg__buf_puts(b, "/></g>\n");
    }
    double lx, ly;
    legend_box(b, c->legend, c->nseries + (c->diagonal ? 1 : 0), 150, &sx, &sy, &lx, &ly);
    for (int s = 0; s < c->nseries; s++)
        legend_entry(b, s, palette[s % (int)MG_ARRAY_LEN(palette)], NULL, c->series[s].name, lx,
                     ly);
    if (c->diagonal)
        legend_entry(b, c->nseries, "#888", " stroke-dasharray=\"4 4\"", "y = x", lx, ly);
    close_figure(b, c->note);
}

void mg__svg_draw_bar_chart(mg__buf *b, const mg__svg_bar_chart *c) {
    int h = MT + 20 + c->nbars * BAR_ROW + MB;
    open_figure(b, c->id, "bar-chart", c->title, BAR_W, h);
    scale sx = {c->v_min, c->v_max, BAR_LABEL, BAR_W - MR, false};
    double top = MT + 20, bottom = top + c->nbars * BAR_ROW;
    if (isfinite(c->band_lo) && isfinite(c->band_hi) && c->band_hi > c->band_lo) {
        double x1 = at(&sx, c->band_lo), x2 = at(&sx, c->band_hi);
        mg__buf_puts(b, "<rect class=\"band\" fill=\"#2ca02c\" fill-opacity=\"0.15\"");
        attr_n(b, "band-low", c->band_lo);
        attr_n(b, "band-high", c->band_hi);
        attr_c(b, "x", x1);
        attr_c(b, "y", top);
        attr_c(b, "width", x2 - x1);
        attr_c(b, "height", bottom - top);
        mg__buf_puts(b, "/>\n");
    }
    /* The frame and the value axis (the rows need no y ticks). */
    mg__buf_puts(b, "<rect class=\"frame\"");
    attr_c(b, "x", sx.a);
    attr_c(b, "y", top);
    attr_c(b, "width", sx.b - sx.a);
    attr_c(b, "height", bottom - top);
    mg__buf_puts(b, "/>\n");
    for (int i = 0; i <= 5; i++) {
        double x = sx.a + (sx.b - sx.a) * i / 5;
        line(b, "grid", x, top, x, bottom);
        text_at(b, "tick", x, bottom + 16, "middle");
        mg__svg_short(b, tick(sx.lo, sx.hi, i, 5), 3);
        mg__buf_puts(b, "</text>\n");
    }
    text_at(b, "axis-label", (sx.a + sx.b) / 2, bottom + 36, "middle");
    esc(b, c->value_label);
    mg__buf_puts(b, "</text>\n");
    for (int i = 0; i < c->nbars; i++) {
        const mg__svg_bar *bar = &c->bars[i];
        double y = top + i * BAR_ROW;
        mg__buf_puts(b, "<g class=\"bar\" data-group=\"");
        esc(b, bar->key);
        mg__buf_puts(b, "\"");
        attr_n(b, "value", bar->value);
        attr_n(b, "ci-low", bar->lo);
        attr_n(b, "ci-high", bar->hi);
        if (bar->n >= 0)
            mg__buf_printf(b, " data-n=\"%" PRId64 "\"", bar->n);
        mg__buf_puts(b, "><title>");
        mg__buf_puts(b, bar->label_html);
        mg__buf_puts(b, ": ");
        mg__svg_short(b, bar->value, 4);
        if (isfinite(bar->lo) && isfinite(bar->hi)) {
            mg__buf_puts(b, " [");
            mg__svg_short(b, bar->lo, 4);
            mg__buf_puts(b, ", ");
            mg__svg_short(b, bar->hi, 4);
            mg__buf_puts(b, "]");
        }
        mg__buf_puts(b, "</title>\n");
        text_at(b, "bar-label", sx.a - 8, y + BAR_ROW / 2 + 4, "end");
        mg__buf_puts(b, bar->label_html);
        mg__buf_puts(b, "</text>\n");
        if (isfinite(bar->value)) {
            double x0 = at(&sx, c->v_min > 0 ? c->v_min : 0), x1 = at(&sx, bar->value);
            mg__buf_puts(b, "<rect fill=\"#1f77b4\"");
            attr_c(b, "x", x0 < x1 ? x0 : x1);
            attr_c(b, "y", y + 5);
            attr_c(b, "width", fabs(x1 - x0));
            attr_c(b, "height", BAR_ROW - 10);
            mg__buf_puts(b, "/>\n");
        }
        if (isfinite(bar->lo) && isfinite(bar->hi)) {
            double cy = y + BAR_ROW / 2.0;
            line(b, "whisker", at(&sx, bar->lo), cy, at(&sx, bar->hi), cy);
            line(b, "whisker", at(&sx, bar->lo), cy - 5, at(&sx, bar->lo), cy + 5);
            line(b, "whisker", at(&sx, bar->hi), cy - 5, at(&sx, bar->hi), cy + 5);
        }
        mg__buf_puts(b, "</g>\n");
    }
    if (isfinite(c->ref)) {
        mg__buf_puts(b, "<line class=\"ref\" stroke=\"#444\" stroke-dasharray=\"6 3\"");
        attr_n(b, "value", c->ref);
        attr_c(b, "x1", at(&sx, c->ref));
        attr_c(b, "y1", top);
        attr_c(b, "x2", at(&sx, c->ref));
        attr_c(b, "y2", bottom);
        mg__buf_puts(b, "/>\n");
    }
    /* The legend sits above the plot, right-aligned. */
    double lx = BAR_W - MR;
    if (isfinite(c->band_lo) && isfinite(c->band_hi) && c->band_label != NULL) {
        mg__buf_puts(b, "<rect fill=\"#2ca02c\" fill-opacity=\"0.3\" width=\"14\" height=\"10\"");
        attr_c(b, "x", lx - 330);
        attr_c(b, "y", MT - 4);
        mg__buf_puts(b, "/>\n");
        text_at(b, "legend", lx - 312, MT + 5, "start");
        esc(b, c->band_label);
        mg__buf_puts(b, "</text>\n");
    }
    if (isfinite(c->ref) && c->ref_label != NULL) {
        line(b, "ref-legend", lx - 110, MT + 1, lx - 92, MT + 1);
        text_at(b, "legend", lx - 88, MT + 5, "start");
        esc(b, c->ref_label);
        mg__buf_puts(b, "</text>\n");
    }
    close_figure(b, c->note);
}

void mg__svg_draw_histogram(mg__buf *b, const mg__svg_histogram *c) {
    open_figure(b, c->id, "histogram", c->title, LINE_W, LINE_H);
    double ymax = 0;
    for (size_t i = 0; i < c->n; i++)
        if (isfinite(c->counts[i]) && c->counts[i] > ymax)
            ymax = c->counts[i];
    /* A multiple of 5 calls, so the five y ticks are whole numbers. */
    ymax = ymax <= 0 ? 5 : ceil(ymax / 5) * 5;
    double lo = c->edges[0], hi = c->edges[c->n];
    scale sx = {c->log_x ? log10(lo) : lo, c->log_x ? log10(hi) : hi, ML, LINE_W - MR, c->log_x};
    scale sy = {0, ymax, LINE_H - MB, MT, false};
    axes(b, &sx, &sy, c->x_label, c->y_label, true);
    for (size_t i = 0; i < c->n; i++) {
        double x1 = at(&sx, c->edges[i]), x2 = at(&sx, c->edges[i + 1]);
        double cnt = isfinite(c->counts[i]) ? c->counts[i] : 0;
        double y = at(&sy, cnt);
        mg__buf_puts(b, "<rect class=\"bin\" fill=\"#1f77b4\" stroke=\"#fff\" stroke-width=\"0.5\"");
        attr_n(b, "low", c->edges[i]);
        attr_n(b, "high", c->edges[i + 1]);
        attr_n(b, "count", c->counts[i]);
        attr_c(b, "x", x1);
        attr_c(b, "y", y);
        attr_c(b, "width", x2 - x1 > 0 ? x2 - x1 : 0);
        attr_c(b, "height", sy.a - y);
        mg__buf_puts(b, "><title>");
        mg__svg_short(b, c->edges[i], 4);
        mg__buf_puts(b, " to ");
        mg__svg_short(b, c->edges[i + 1], 4);
        mg__buf_puts(b, ": ");
        mg__svg_short(b, cnt, 15);
        mg__buf_puts(b, "</title></rect>\n");
    }
    double lx = 0, ly = 0;
    if (c->nlines > 0)
        legend_box(b, MG__SVG_LEGEND_TOP_RIGHT, c->nlines, 260, &sx, &sy, &lx, &ly);
    for (int i = 0; i < c->nlines; i++) {
        double v = c->lines[i].x;
        const char *color = palette[(i + 1) % (int)MG_ARRAY_LEN(palette)];
        /* A value off the axis (a gate's threshold far above every call) is
         * named in the legend, not drawn at the edge as if it were there. */
        bool off = !isfinite(v) || (c->log_x && v <= 0) || v < c->edges[0] || v > c->edges[c->n];
        if (!off) {
            double x = at(&sx, v);
            mg__buf_printf(b,
                           "<line class=\"marker\" stroke=\"%s\" stroke-width=\"1.5\" "
                           "stroke-dasharray=\"5 3\" data-label=\"",
                           color);
            esc(b, c->lines[i].label);
            mg__buf_puts(b, "\"");
            attr_n(b, "value", v);
            attr_c(b, "x1", x);
            attr_c(b, "y1", sy.a);
            attr_c(b, "x2", x);
            attr_c(b, "y2", sy.b);
            mg__buf_puts(b, "/>\n");
        }
        legend_open(b, i, color, off ? " stroke-opacity=\"0.3\"" : " stroke-dasharray=\"5 3\"", lx,
                    ly);
        esc(b, c->lines[i].label);
        mg__buf_puts(b, " ");
        mg__svg_short(b, v, 4);
        mg__buf_puts(b, off ? " (off the axis)</text>\n" : "</text>\n");
    }
    close_figure(b, c->note);
}

void mg__svg_draw_delta_chart(mg__buf *b, const mg__svg_delta_chart *c) {
    int h = MT + 20 + c->nrows * BAR_ROW + MB;
    open_figure(b, c->id, "delta-chart", c->title, BAR_W, h);
    double m = 0;
    for (int i = 0; i < c->nrows; i++) {
        const double v[3] = {c->rows[i].value, c->rows[i].lo, c->rows[i].hi};
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k]) && fabs(v[k]) > m)
                m = fabs(v[k]);
    }
    m = m > 0 ? m * 1.1 : 1;
    double top = MT + 20, bottom = top + c->nrows * BAR_ROW;
    scale sx = {-m, m, BAR_LABEL, BAR_W - MR, false};
    mg__buf_puts(b, "<rect class=\"frame\"");
    attr_c(b, "x", sx.a);
    attr_c(b, "y", top);
    attr_c(b, "width", sx.b - sx.a);
    attr_c(b, "height", bottom - top);
    mg__buf_puts(b, "/>\n");
    for (int i = 0; i <= 4; i++) {
        double x = sx.a + (sx.b - sx.a) * i / 4;
        line(b, "grid", x, top, x, bottom);
        text_at(b, "tick", x, bottom + 16, "middle");
        mg__svg_short(b, tick(-m, m, i, 4), 3);
        mg__buf_puts(b, "</text>\n");
    }
    text_at(b, "axis-label", (sx.a + sx.b) / 2, bottom + 36, "middle");
    mg__buf_puts(b, "new &#8722; baseline</text>\n");
    mg__buf_puts(b, "<line class=\"zero\" stroke=\"#000\" data-value=\"0\"");
    attr_c(b, "x1", at(&sx, 0));
    attr_c(b, "y1", top);
    attr_c(b, "x2", at(&sx, 0));
    attr_c(b, "y2", bottom);
    mg__buf_puts(b, "/>\n");
    for (int i = 0; i < c->nrows; i++) {
        const mg__svg_delta *d = &c->rows[i];
        double cy = top + i * BAR_ROW + BAR_ROW / 2.0;
        bool better = isfinite(d->value) && (d->lower_is_better ? d->value < 0 : d->value > 0);
        bool worse = isfinite(d->value) && (d->lower_is_better ? d->value > 0 : d->value < 0);
        const char *color = better ? "#2ca02c" : worse ? "#d62728" : "#666";
        mg__buf_puts(b, "<g class=\"delta\" data-metric=\"");
        esc(b, d->metric);
        mg__buf_puts(b, "\"");
        attr_n(b, "value", d->value);
        attr_n(b, "ci-low", d->lo);
        attr_n(b, "ci-high", d->hi);
        mg__buf_printf(b, " data-direction=\"%s\"><title>",
                       d->lower_is_better ? "lower_is_better" : "higher_is_better");
        esc(b, d->metric);
        mg__buf_puts(b, ": ");
        mg__svg_short(b, d->value, 4);
        if (isfinite(d->lo) && isfinite(d->hi)) {
            mg__buf_puts(b, " [");
            mg__svg_short(b, d->lo, 4);
            mg__buf_puts(b, ", ");
            mg__svg_short(b, d->hi, 4);
            mg__buf_puts(b, "]");
        }
        mg__buf_puts(b, d->lower_is_better ? " (lower is better)" : " (higher is better)");
        mg__buf_puts(b, "</title>\n");
        text_at(b, "bar-label", sx.a - 8, cy + 4, "end");
        esc(b, d->metric);
        mg__buf_puts(b, "</text>\n");
        if (isfinite(d->lo) && isfinite(d->hi)) {
            line(b, "whisker", at(&sx, d->lo), cy, at(&sx, d->hi), cy);
            line(b, "whisker", at(&sx, d->lo), cy - 5, at(&sx, d->lo), cy + 5);
            line(b, "whisker", at(&sx, d->hi), cy - 5, at(&sx, d->hi), cy + 5);
        }
        if (isfinite(d->value)) {
            mg__buf_printf(b, "<circle r=\"4.5\" fill=\"%s\"", color);
            attr_c(b, "cx", at(&sx, d->value));
            attr_c(b, "cy", cy);
            mg__buf_puts(b, "/>\n");
        }
        mg__buf_puts(b, "</g>\n");
    }
    close_figure(b, c->note);
}
