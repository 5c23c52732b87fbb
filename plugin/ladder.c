/* ladder.c — ladder diagrams of a connection (see ladder.h). */
#include "ladder.h"

#include <string.h>

#include "names.h"

#define ARROW_WIDTH 44      /* text columns between the two rails */
#define STATE_WIDTH 12      /* "SYN_RECEIVED" */

typedef struct {
    const char *rail;
    const char *line;       /* one column of arrow shaft */
    const char *head_right;
    const char *head_left;
    const char *dots;
    const char *to_server;
    const char *to_client;
} glyphs;

static const glyphs ascii_glyphs = { "|", "-", ">", "<", "...", "->", "<-" };
static const glyphs utf8_glyphs = { "\u2502", "\u2500", "\u25b6", "\u25c0", "\u2026", "\u2192", "\u2190" };

ladder_charset ladder_default_charset(void)
{
    return g_get_charset(NULL) ? LADDER_UTF8 : LADDER_ASCII;
}

/* One arrow of the ladder and the dotted line of plain data after it. */
typedef struct {
    const tl_verdict *v;
    const tl_gap     *gap;      /* NULL when no data followed */
} rung;

/* The connection's kept verdicts, oldest first, each with its gap record:
 * both lists run newest first, the gaps a subsequence of the verdicts. */
static GArray *rungs_of(const conn_rec *rec)
{
    GArray *all = g_array_new(FALSE, FALSE, sizeof(rung));
    const gap_rec *g = conn_store_gap(rec->last_gap);
    for (const tl_verdict *k = tl_conn_newest(&rec->conn); k; k = tl_verdict_prev(k)) {
        rung r = { k, NULL };
        if (g && conn_store_verdict(g->verdict) == k) {
            r.gap = &g->gap;
            g = conn_store_gap(g->prev);
        }
        g_array_append_val(all, r);
    }
    for (guint i = 0, j = all->len ? all->len - 1 : 0; i < j; i++, j--) {
        rung t = g_array_index(all, rung, i);
        g_array_index(all, rung, i) = g_array_index(all, rung, j);
        g_array_index(all, rung, j) = t;
    }
    return all;
}

static void format_bytes(char *buf, size_t size, guint64 bytes)
{
    if (bytes < 1000)
        g_snprintf(buf, (gulong)size, "%" G_GUINT64_FORMAT " B", bytes);
    else if (bytes < 1000000)
        g_snprintf(buf, (gulong)size, "%.1f kB", bytes / 1e3);
    else if (bytes < 1000000000)
        g_snprintf(buf, (gulong)size, "%.1f MB", bytes / 1e6);
    else
        g_snprintf(buf, (gulong)size, "%.1f GB", bytes / 1e9);
}

/* "42 data segments, 3.1 kB -> / 12.0 kB <-", or NULL when there was none. */
static char *gap_summary(const tl_gap *gap, const glyphs *g)
{
    if (!gap || (!gap->segs[TL_CLIENT] && !gap->segs[TL_SERVER]))
        return NULL;
    char to_server[32], to_client[32];
    format_bytes(to_server, sizeof to_server, gap->bytes[TL_CLIENT]);
    format_bytes(to_client, sizeof to_client, gap->bytes[TL_SERVER]);
    guint32 n = gap->segs[TL_CLIENT] + gap->segs[TL_SERVER];
    return g_strdup_printf("%u data segment%s, %s %s / %s %s", n, n == 1 ? "" : "s",
                           to_server, g->to_server, to_client, g->to_client);
}

static void flag_names(GString *out, guint8 flags)
{
    static const struct { guint8 bit; const char *name; } names[] = {
        { TL_SYN, "SYN" }, { TL_FIN, "FIN" }, { TL_RST, "RST" }, { TL_PSH, "PSH" },
        { TL_ACK, "ACK" }, { TL_URG, "URG" }, { TL_ECE, "ECE" }, { TL_CWR, "CWR" },
    };
    g_string_append_c(out, '[');
    gboolean first = TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (!(flags & names[i].bit))
            continue;
        g_string_append_printf(out, "%s%s", first ? "" : ", ", names[i].name);
        first = FALSE;
    }
    g_string_append_c(out, ']');
}

/* "[FIN, ACK] seq=1 ack=101 len=0", sequence numbers relative to each ISN. */
static char *arrow_label(const tl_conn *c, const tl_verdict *v)
{
    const tl_end *from = &c->end[v->sender];
    const tl_end *to = &c->end[!v->sender];
    GString *s = g_string_new(NULL);
    flag_names(s, v->flags);
    g_string_append_printf(s, " seq=%u", from->isn_known ? v->seq - from->isn : v->seq);
    if (v->flags & TL_ACK)
        g_string_append_printf(s, " ack=%u", to->isn_known ? v->ack_got - to->isn : v->ack_got);
    if (v->len)
        g_string_append_printf(s, " len=%u", v->len);
    return g_string_free(s, FALSE);
}

/* Short notes for the findings marked on an arrow. */
static void finding_notes(GPtrArray *notes, const tl_conn *c, const tl_verdict *v)
{
    static const struct { guint32 bit; const char *text; } notes_of[] = {
        { TL_FIND_SYN_RETRANS,      "SYN retransmission" },
        { TL_FIND_SYNACK_AFTER_HS,  "SYN-ACK re-sent after the handshake ACK: the server did not take it" },
        { TL_FIND_REFUSED,          "refused" },
        { TL_FIND_SIMUL_OPEN,       "simultaneous open" },
        { TL_FIND_NO_HANDSHAKE,     "no handshake in the capture" },
        { TL_FIND_BAD_FLAGS,        "illegal flag combination" },
        { TL_FIND_MERGED_FIN_ACK,   "FIN merged with the ACK of the peer's FIN: three-way close" },
        { TL_FIND_HALF_CLOSE,       "half-close: data after the peer's FIN" },
        { TL_FIND_ABORT,            "abort" },
        { TL_FIND_FIN_RETRANS,      "FIN retransmission" },
        { TL_FIND_TW_FIN_RETRANS,   "FIN re-sent to TIME_WAIT: the final ACK was lost" },
        { TL_FIND_TW_REACK,         "re-ACK from TIME_WAIT, 2MSL restarted" },
        { TL_FIND_LATE_SEGMENT,     "late segment of a closed connection" },
        { TL_FIND_TW_ASSASSINATION, "RST in TIME_WAIT (assassination)" },
        { TL_FIND_RST_IGNORED,      "RST the receiver did not take: no state change" },
        { TL_FIND_RST_INJECTED,     "RST injected: its named sender went on" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(notes_of); i++) {
        if (v->findings & notes_of[i].bit)
            g_ptr_array_add(notes, g_strdup(notes_of[i].text));
    }
    if (v->findings & TL_FIND_SIMUL_CLOSE)
        g_ptr_array_add(notes, g_strdup(c->fin_behind_gap
                                        ? "simultaneous close: the peer's FIN had arrived behind missing data"
                                        : "simultaneous close: the FINs crossed"));
    if (v->findings & TL_FIND_WRONG_ACK) {
        guint32 expected = tl_verdict_ack_expected(c, v);
        const tl_end *to = &c->end[!v->sender];
        g_ptr_array_add(notes, g_strdup_printf("wrong ACK: expected %u", to->isn_known ? expected - to->isn : expected));
    }
    if (v->findings & TL_FIND_TW_REUSE)
        g_ptr_array_add(notes, g_strdup_printf("reuses the 4-tuple %.3f s into TIME_WAIT (%s)",
                                               conn_store_reuse_after(c) / 1e9, c->reuse_safe ? "safe" : "unsafe"));
    if (v->findings & TL_FIND_KEEPALIVE_TIMEOUT)
        g_ptr_array_add(notes, g_strdup_printf("keep-alive timeout: %s%u unanswered probes",
                                               c->reset_probes == 15 ? "at least " : "", c->reset_probes));
    if (v->findings & TL_FIND_STALE)
        g_ptr_array_add(notes, g_strdup_printf("stale: answering a keep-alive probe, the %s side did not know the connection",
                                               tcplife_role_name(v->sender)));
}

static void repeat(GString *out, const char *unit, int n)
{
    for (int i = 0; i < n; i++)
        g_string_append(out, unit);
}

/* Append text centred in width columns, padded with the unit string. */
static void centred(GString *out, const char *text, int width, const char *unit)
{
    int len = (int)g_utf8_strlen(text, -1);
    int left = (width - len) / 2;
    if (left < 1)
        left = 1;
    int right = width - len - left;
    if (right < 1)
        right = 1;
    repeat(out, unit, left);
    g_string_append(out, text);
    repeat(out, unit, right);
}

static void text_gap(GString *out, const glyphs *g, const tl_gap *gap)
{
    char *summary = gap_summary(gap, g);
    if (!summary)
        return;
    char *dotted = g_strdup_printf("%s %s %s", g->dots, summary, g->dots);
    g_string_append_printf(out, "%-9s %-6s %*s %s", "", "", STATE_WIDTH, "", g->rail);
    centred(out, dotted, ARROW_WIDTH, " ");
    g_string_append_printf(out, "%s\n", g->rail);
    g_free(dotted);
    g_free(summary);
}

/* The shaft with the label on it and the head, between the rails. */
static void shaft(GString *out, const glyphs *g, const char *label, gboolean to_server)
{
    char *padded = g_strdup_printf(" %s ", label);
    int width = ARROW_WIDTH - 1;
    if (to_server) {
        centred(out, padded, width, g->line);
        g_string_append(out, g->head_right);
    } else {
        g_string_append(out, g->head_left);
        centred(out, padded, width, g->line);
    }
    g_free(padded);
}

static void text_arrow(GString *out, const glyphs *g, const tl_conn *c, const tl_verdict *v)
{
    char *label = arrow_label(c, v);
    double t = (v->ts - c->first_ts) / 1e9;

    g_string_append_printf(out, "%9.6f %6u %*s %s", t, v->frame, STATE_WIDTH,
                           tcplife_state_name(v->state[TL_CLIENT]), g->rail);
    shaft(out, g, label, v->sender == TL_CLIENT);
    g_string_append_printf(out, "%s %s\n", g->rail, tcplife_state_name(v->state[TL_SERVER]));

    GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
    finding_notes(notes, c, v);
    for (guint i = 0; i < notes->len; i++)
        g_string_append_printf(out, "%-9s %-6s %*s %s   ^ %s\n", "", "", STATE_WIDTH, "", g->rail,
                               (char *)notes->pdata[i]);
    g_ptr_array_free(notes, TRUE);
    g_free(label);
}

/* "[ICMP port unreachable]" for the connection's first believed ICMP error. */
static char *icmp_label(const tl_conn *c)
{
    return g_strdup_printf("[%s %s]", c->icmp_v6 ? "ICMPv6" : "ICMP",
                           tcplife_icmp_error_name(c->icmp_v6, c->icmp_type, c->icmp_code));
}

/* The error travels back to the end whose segment it quoted (its frame's note says which). */
static gboolean icmp_to_server(const tl_conn *c)
{
    guint32 code;
    return conn_store_frame_note(c->icmp_frame, &code) && FRAME_CODE_FROM_SERVER(code);
}

/* No time or states: the error is no packet of the connection. */
static void text_icmp(GString *out, const glyphs *g, const tl_conn *c)
{
    char *label = icmp_label(c);
    g_string_append_printf(out, "%9s %6u %*s %s", "", c->icmp_frame, STATE_WIDTH, "", g->rail);
    shaft(out, g, label, icmp_to_server(c));
    g_string_append_printf(out, "%s\n", g->rail);
    g_free(label);
}

void ladder_text(GString *out, const conn_rec *rec, ladder_charset charset)
{
    const glyphs *g = charset == LADDER_UTF8 ? &utf8_glyphs : &ascii_glyphs;
    const tl_conn *c = &rec->conn;
    char *client = conn_store_endpoint(rec, TL_CLIENT);
    char *server = conn_store_endpoint(rec, TL_SERVER);

    g_string_append_printf(out, "tcplife.stream %u: client %s, server %s; handshake %s, close %s\n",
                           rec->tcp_stream, client, server,
                           tcplife_handshake_outcome_name(tl_conn_handshake_outcome(c)),
                           tcplife_close_type_name(tl_conn_close_type(c)));
    g_string_append_printf(out, "%9s %6s %*s %s", "time (s)", "frame", STATE_WIDTH, "client", g->rail);
    centred(out, "", ARROW_WIDTH, " ");
    g_string_append_printf(out, "%s %s\n", g->rail, "server");

    GArray *rungs = rungs_of(rec);
    gboolean icmp_due = c->icmp_frame != 0;
    for (guint i = 0; i < rungs->len; i++) {
        const rung *r = &g_array_index(rungs, rung, i);
        if (icmp_due && c->icmp_frame < r->v->frame) {
            text_icmp(out, g, c);
            icmp_due = FALSE;
        }
        text_arrow(out, g, c, r->v);
        text_gap(out, g, r->gap);
    }
    if (icmp_due)
        text_icmp(out, g, c);
    g_string_append_c(out, '\n');
    g_array_free(rungs, TRUE);
    g_free(client);
    g_free(server);
}

/* ---- SVG ---- */

#define SVG_WIDTH    900
#define SVG_CLIENT_X 330
#define SVG_SERVER_X 690
#define SVG_TOP      90
#define SVG_STEP     34

static void svg_text(GString *out, double x, double y, const char *anchor, const char *style, const char *text)
{
    char *safe = g_markup_escape_text(text, -1);
    g_string_append_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>\n",
                           x, y, anchor, style, safe);
    g_free(safe);
}

/* An arrow starting at *y with its label above and its time on the left. */
static void svg_arrow(GString *body, const double *y, gboolean to_server, const char *cls,
                      const char *label, const char *when)
{
    double x1 = to_server ? SVG_CLIENT_X : SVG_SERVER_X;
    double x2 = to_server ? SVG_SERVER_X : SVG_CLIENT_X;
    g_string_append_printf(body, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\" marker-end=\"url(#head-%s)\"/>\n",
                           x1, *y, x2, *y + SVG_STEP * 0.5, cls, cls);
    svg_text(body, (x1 + x2) / 2, *y - 5, "middle", "class=\"label\"", label);
    svg_text(body, 12, *y + 10, "start", "class=\"time\"", when);
}

static void svg_icmp(GString *body, double *y, const tl_conn *c)
{
    char *label = icmp_label(c);
    char *when = g_strdup_printf("#%u", c->icmp_frame);
    svg_arrow(body, y, icmp_to_server(c), "warn", label, when);
    *y += SVG_STEP;
    g_free(when);
    g_free(label);
}

char *ladder_svg(const conn_rec *rec, const char *dir, GError **err)
{
    const tl_conn *c = &rec->conn;
    GArray *rungs = rungs_of(rec);
    GString *body = g_string_new(NULL);
    double y = SVG_TOP;
    char *client = conn_store_endpoint(rec, TL_CLIENT);
    char *server = conn_store_endpoint(rec, TL_SERVER);

    gboolean icmp_due = c->icmp_frame != 0;
    for (guint i = 0; i < rungs->len; i++) {
        const tl_verdict *v = g_array_index(rungs, rung, i).v;
        if (icmp_due && c->icmp_frame < v->frame) {
            svg_icmp(body, &y, c);
            icmp_due = FALSE;
        }
        const char *cls = v->findings & (TL_FIND_WRONG_ACK | TL_FIND_ABORT | TL_FIND_TW_REUSE_UNSAFE |
                                         TL_FIND_LATE_SEGMENT | TL_FIND_TW_ASSASSINATION | TL_FIND_BAD_FLAGS |
                                         TL_FIND_RST_IGNORED | TL_FIND_RST_INJECTED)
                          ? "warn" : v->findings ? "note" : "plain";
        char *label = arrow_label(c, v);
        char *when = g_strdup_printf("%.6f s  #%u", (v->ts - c->first_ts) / 1e9, v->frame);
        svg_arrow(body, &y, v->sender == TL_CLIENT, cls, label, when);
        svg_text(body, SVG_CLIENT_X - 10, y + 10, "end", "class=\"state\"", tcplife_state_name(v->state[TL_CLIENT]));
        svg_text(body, SVG_SERVER_X + 10, y + 10, "start", "class=\"state\"", tcplife_state_name(v->state[TL_SERVER]));
        y += SVG_STEP;

        GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
        finding_notes(notes, c, v);
        for (guint n = 0; n < notes->len; n++) {
            svg_text(body, (SVG_CLIENT_X + SVG_SERVER_X) / 2.0, y - 8, "middle", "class=\"finding\"",
                     (char *)notes->pdata[n]);
            y += SVG_STEP * 0.6;
        }
        g_ptr_array_free(notes, TRUE);
        g_free(when);
        g_free(label);

        char *gap = gap_summary(g_array_index(rungs, rung, i).gap, &utf8_glyphs);
        if (gap) {
            char *dotted = g_strdup_printf("\u2026 %s \u2026", gap);
            svg_text(body, (SVG_CLIENT_X + SVG_SERVER_X) / 2.0, y, "middle", "class=\"gap\"", dotted);
            y += SVG_STEP * 0.8;
            g_free(dotted);
            g_free(gap);
        }
    }
    if (icmp_due)
        svg_icmp(body, &y, c);

    double height = y + 30;
    GString *svg = g_string_new(NULL);
    g_string_append_printf(svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
        "<style>.plain{stroke:#333;stroke-width:1.5}.note{stroke:#1f5fbf;stroke-width:2}.warn{stroke:#c0392b;stroke-width:2}"
        ".label{font-family:DejaVu Sans Mono,monospace;font-size:12px}.state{font-weight:bold}"
        ".time{fill:#666;font-size:11px}.gap{fill:#777;font-style:italic}.finding{fill:#c0392b;font-size:12px}"
        ".rail{stroke:#999;stroke-width:2}.title{font-size:15px;font-weight:bold}</style>\n"
        "<defs>", SVG_WIDTH, height, SVG_WIDTH, height);
    static const char *const heads[][2] = { { "plain", "#333" }, { "note", "#1f5fbf" }, { "warn", "#c0392b" } };
    for (size_t i = 0; i < G_N_ELEMENTS(heads); i++)
        g_string_append_printf(svg, "<marker id=\"head-%s\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" "
                               "orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\" fill=\"%s\"/></marker>",
                               heads[i][0], heads[i][1]);
    g_string_append(svg, "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    char *title = g_strdup_printf("tcplife.stream %u: %s close, handshake %s", rec->tcp_stream,
                                  tcplife_close_type_name(tl_conn_close_type(c)),
                                  tcplife_handshake_outcome_name(tl_conn_handshake_outcome(c)));
    svg_text(svg, SVG_WIDTH / 2.0, 24, "middle", "class=\"title\"", title);
    svg_text(svg, SVG_CLIENT_X, 56, "middle", "class=\"state\"", "client");
    svg_text(svg, SVG_CLIENT_X, 72, "middle", "class=\"time\"", client);
    svg_text(svg, SVG_SERVER_X, 56, "middle", "class=\"state\"", "server");
    svg_text(svg, SVG_SERVER_X, 72, "middle", "class=\"time\"", server);
    g_string_append_printf(svg, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\" class=\"rail\"/>\n",
                           SVG_CLIENT_X, SVG_TOP - 10, SVG_CLIENT_X, height - 15);
    g_string_append_printf(svg, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.0f\" class=\"rail\"/>\n",
                           SVG_SERVER_X, SVG_TOP - 10, SVG_SERVER_X, height - 15);
    g_string_append_len(svg, body->str, (gssize)body->len);
    g_string_append(svg, "</svg>\n");

    char *name = g_strdup_printf("tcplife-stream-%u-conn-%u.svg", rec->tcp_stream, c->id);
    char *path = g_build_filename(dir, name, NULL);
    if (!g_file_set_contents(path, svg->str, (gssize)svg->len, err)) {
        g_free(path);
        path = NULL;
    }
    g_free(name);
    g_free(title);
    g_free(client);
    g_free(server);
    g_string_free(svg, TRUE);
    g_string_free(body, TRUE);
    g_array_free(rungs, TRUE);
    return path;
}
