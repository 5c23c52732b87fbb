/* stream-taps.c — the per-stream views: -z tcplife,streams (a table for
 * people, CSV or JSON for scripts), -z tcplife,ladder (text and SVG ladders),
 * and the GUI menu-bar entry that shows the selected packet's ladder.
 *
 * Both -z views only note which connections had a packet passing the filter;
 * they draw from the connection store at the end, so single-pass and two-pass
 * tshark print the same. */
#include <stdio.h>
#include <string.h>

#include <epan/funnel.h>
#include <epan/plugin_if.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <wsutil/json_dumper.h>

#include "tcplife-tap.h"
#include "ladder.h"
#include "names.h"

typedef enum { VIEW_STREAMS, VIEW_LADDER } view_kind;
typedef enum { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON } view_format;

typedef struct {
    view_kind      kind;
    view_format    format;
    ladder_charset charset;
    char          *svg_dir;
    GArray        *order;       /* conn ids in order of first appearance */
    GArray        *seen;        /* conn id -> gboolean */
} view;

/* ---- collecting ---- */

static void view_reset(void *tapdata)
{
    view *vw = tapdata;
    g_array_set_size(vw->order, 0);
    g_array_set_size(vw->seen, 0);
}

static tap_packet_status view_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                     const void *data, tap_flags_t flags _U_)
{
    view *vw = tapdata;
    guint32 id = ((const tcplife_tap_info *)data)->rec->conn.id;
    if (id >= vw->seen->len)
        g_array_set_size(vw->seen, id + 1);
    if (!g_array_index(vw->seen, gboolean, id)) {
        g_array_index(vw->seen, gboolean, id) = TRUE;
        g_array_append_val(vw->order, id);
    }
    return TAP_PACKET_REDRAW;
}

static void view_finish(void *tapdata)
{
    view *vw = tapdata;
    g_array_free(vw->order, TRUE);
    g_array_free(vw->seen, TRUE);
    g_free(vw->svg_dir);
    g_free(vw);
}

/* ---- -z tcplife,streams ---- */

enum {
    COL_STREAM, COL_CLIENT, COL_SERVER, COL_HANDSHAKE, COL_RTT, COL_SYN_RETRIES,
    COL_CLIENT_BYTES, COL_SERVER_BYTES, COL_CLOSE, COL_INITIATOR, COL_CLOSE_DURATION,
    COL_CLOSE_WAIT, COL_TIME_WAIT, COL_REUSE, COL_ICMP_ERROR, COL_FINDINGS, COL_RESET, COL_DURATION,
    COL_ANALYSIS, COL_COUNT
};

static const struct {
    const char *name;
    gboolean    numeric;    /* a JSON number (or null when empty) */
} columns[COL_COUNT] = {
    { "stream", TRUE }, { "client", FALSE }, { "server", FALSE }, { "handshake", FALSE },
    { "rtt", TRUE }, { "syn_retransmissions", TRUE }, { "client_bytes", TRUE }, { "server_bytes", TRUE },
    { "close", FALSE }, { "initiator", FALSE }, { "close_duration", TRUE }, { "close_wait", TRUE },
    { "time_wait", FALSE }, { "reuse", FALSE }, { "icmp_error", FALSE }, { "findings", TRUE },
    { "reset", FALSE }, { "duration", TRUE }, { "analysis", FALSE },
};

/* Seconds as tshark prints relative times, so rows compare with -T fields. */
static char *seconds(gint64 ns)
{
    return g_strdup_printf("%s%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, ns < 0 ? "-" : "",
                           (ns < 0 ? -ns : ns) / 1000000000, (ns < 0 ? -ns : ns) % 1000000000);
}

/* How many expert findings the connection's packets carry, and which kinds. */
static guint count_findings(const tl_conn *c, guint32 *kinds)
{
    guint n = 0;
    *kinds = 0;
    for (const tl_verdict *k = tl_conn_newest(c); k; k = tl_verdict_prev(k)) {
        guint32 findings = k->findings & ~TL_FIND_QUALIFIERS;
        n += (guint)__builtin_popcount(findings);
        *kinds |= findings;
    }
    return n;
}

static const char *reuse_word(const tl_conn *c)
{
    const conn_rec *prev = c->has_prev ? conn_store_get(c->prev_id) : NULL;
    if (!prev || !tl_conn_time_wait_ends(&prev->conn))
        return "";
    if (!c->reuse_in_2msl)
        return "after 2MSL";
    return c->reuse_safe ? "safe" : "unsafe";
}

static void stream_row(const conn_rec *rec, char *cell[COL_COUNT])
{
    const tl_conn *c = &rec->conn;
    cell[COL_STREAM] = g_strdup_printf("%u", rec->tcp_stream);
    cell[COL_CLIENT] = conn_store_endpoint(rec, TL_CLIENT);
    cell[COL_SERVER] = conn_store_endpoint(rec, TL_SERVER);
    cell[COL_HANDSHAKE] = g_strdup(tcplife_handshake_outcome_name(tl_conn_handshake_outcome(c)));
    tl_handshake_times times;
    tl_conn_handshake_times(c, conn_store_find_kept, &times);
    cell[COL_RTT] = times.has_rtt ? seconds(times.rtt) : g_strdup("");
    cell[COL_SYN_RETRIES] = c->syn_frame ? g_strdup_printf("%u", c->end[TL_CLIENT].syn_copies - 1u) : g_strdup("");
    cell[COL_CLIENT_BYTES] = g_strdup_printf("%" G_GUINT64_FORMAT, c->end[TL_CLIENT].bytes);
    cell[COL_SERVER_BYTES] = g_strdup_printf("%" G_GUINT64_FORMAT, c->end[TL_SERVER].bytes);
    cell[COL_CLOSE] = g_strdup(tcplife_close_type_name(tl_conn_close_type(c)));
    cell[COL_INITIATOR] = g_strdup(tcplife_initiator_name(tl_conn_close_initiator(c)));
    tl_close_times close;
    tl_conn_close_times(c, conn_store_find_kept, &close);
    cell[COL_CLOSE_DURATION] = close.has_duration ? seconds(close.duration) : g_strdup("");
    cell[COL_CLOSE_WAIT] = close.has_close_wait ? seconds(close.close_wait) : g_strdup("");
    cell[COL_TIME_WAIT] = g_strdup(tcplife_tw_side_name(tl_conn_time_wait_ends(c)));
    cell[COL_REUSE] = g_strdup(reuse_word(c));
    cell[COL_ICMP_ERROR] = g_strdup(c->icmp_frame ? tcplife_icmp_error_name(c->icmp_v6, c->icmp_type, c->icmp_code) : "");
    guint32 kinds;
    cell[COL_FINDINGS] = g_strdup_printf("%u", count_findings(c, &kinds));
    cell[COL_RESET] = g_strdup(c->reset_frame ? tcplife_reset_kind_name(c->reset_kind) : "");
    cell[COL_DURATION] = seconds(c->last_ts - c->first_ts);
    GString *names = g_string_new(NULL);
    tcplife_append_finding_names(names, kinds);
    cell[COL_ANALYSIS] = g_string_free(names, FALSE);
}

static void print_csv_cell(const char *s, gboolean last)
{
    if (strpbrk(s, ",\"\n")) {
        putchar('"');
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                putchar('"');
            putchar(*p);
        }
        putchar('"');
    } else {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static void draw_streams(const view *vw, GPtrArray *rows)
{
    if (vw->format == FORMAT_JSON) {
        json_dumper dumper = { .output_file = stdout, .flags = JSON_DUMPER_FLAGS_PRETTY_PRINT };
        json_dumper_begin_array(&dumper);
        for (guint r = 0; r < rows->len; r++) {
            char **cell = rows->pdata[r];
            json_dumper_begin_object(&dumper);
            for (int i = 0; i < COL_COUNT; i++) {
                json_dumper_set_member_name(&dumper, columns[i].name);
                if (!columns[i].numeric)
                    json_dumper_value_string(&dumper, cell[i]);
                else
                    json_dumper_value_anyf(&dumper, "%s", *cell[i] ? cell[i] : "null");
            }
            json_dumper_end_object(&dumper);
        }
        json_dumper_end_array(&dumper);
        json_dumper_finish(&dumper);
        return;
    }
    if (vw->format == FORMAT_CSV) {
        for (int i = 0; i < COL_COUNT; i++)
            print_csv_cell(columns[i].name, i == COL_COUNT - 1);
        for (guint r = 0; r < rows->len; r++) {
            char **cell = rows->pdata[r];
            for (int i = 0; i < COL_COUNT; i++)
                print_csv_cell(cell[i], i == COL_COUNT - 1);
        }
        return;
    }
    int width[COL_COUNT];
    for (int i = 0; i < COL_COUNT; i++) {
        width[i] = (int)strlen(columns[i].name);
        for (guint r = 0; r < rows->len; r++)
            width[i] = MAX(width[i], (int)strlen(((char **)rows->pdata[r])[i]));
    }
    printf("\n=== TCP connection lifecycle: %u stream%s ===\n", rows->len, rows->len == 1 ? "" : "s");
    GString *line = g_string_new(NULL);
    for (guint r = 0; r <= rows->len; r++) {
        char **cell = r ? rows->pdata[r - 1] : NULL;
        g_string_truncate(line, 0);
        for (int i = 0; i < COL_COUNT; i++)
            g_string_append_printf(line, cell && columns[i].numeric ? "%*s  " : "%-*s  ", width[i],
                                   cell ? cell[i] : columns[i].name);
        puts(g_strchomp(line->str));    /* no padding at the end of a line */
    }
    g_string_free(line, TRUE);
    printf("===\n");
}

static void free_row(gpointer row)
{
    char **cell = row;
    for (int i = 0; i < COL_COUNT; i++)
        g_free(cell[i]);
    g_free(cell);
}

/* ---- -z tcplife,ladder ---- */

static void draw_ladders(const view *vw)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < vw->order->len; i++) {
        const conn_rec *rec = conn_store_get(g_array_index(vw->order, guint32, i));
        if (!rec)
            continue;
        ladder_text(out, rec, vw->charset);
        if (vw->svg_dir) {
            GError *err = NULL;
            char *path = ladder_svg(rec, vw->svg_dir, &err);
            if (path)
                g_string_append_printf(out, "(SVG: %s)\n\n", path);
            else
                g_string_append_printf(out, "(SVG not written: %s)\n\n", err->message);
            g_clear_error(&err);
            g_free(path);
        }
    }
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

static void view_draw(void *tapdata)
{
    view *vw = tapdata;
    if (vw->kind == VIEW_LADDER) {
        draw_ladders(vw);
        return;
    }
    GPtrArray *rows = g_ptr_array_new_with_free_func(free_row);
    for (guint i = 0; i < vw->order->len; i++) {
        const conn_rec *rec = conn_store_get(g_array_index(vw->order, guint32, i));
        if (!rec)
            continue;
        char **cell = g_new0(char *, COL_COUNT);
        stream_row(rec, cell);
        g_ptr_array_add(rows, cell);
    }
    draw_streams(vw, rows);
    g_ptr_array_free(rows, TRUE);
}

/* "-z tcplife,streams[,csv|json][,filter]" and
 * "-z tcplife,ladder[,ascii|utf8][,svg=DIR][,filter]": options first, then
 * everything after them (commas included) is the display filter. */
static void view_init(view_kind kind, const char *prefix, const char *opt_arg)
{
    view *vw = g_new0(view, 1);
    vw->kind = kind;
    vw->charset = ladder_default_charset();
    vw->order = g_array_new(FALSE, FALSE, sizeof(guint32));
    vw->seen = g_array_new(FALSE, TRUE, sizeof(gboolean));

    const char *rest = opt_arg + strlen(prefix);
    while (*rest == ',') {
        const char *opt = rest + 1;
        size_t len = strcspn(opt, ",");
        if (kind == VIEW_STREAMS && len == 3 && !strncmp(opt, "csv", 3))
            vw->format = FORMAT_CSV;
        else if (kind == VIEW_STREAMS && len == 4 && !strncmp(opt, "json", 4))
            vw->format = FORMAT_JSON;
        else if (kind == VIEW_LADDER && len == 5 && !strncmp(opt, "ascii", 5))
            vw->charset = LADDER_ASCII;
        else if (kind == VIEW_LADDER && len == 4 && !strncmp(opt, "utf8", 4))
            vw->charset = LADDER_UTF8;
        else if (kind == VIEW_LADDER && len > 4 && !strncmp(opt, "svg=", 4))
            vw->svg_dir = g_strndup(opt + 4, len - 4);
        else
            break;
        rest = opt + len;
    }
    const char *filter = *rest == ',' ? rest + 1 : NULL;

    GString *error = register_tap_listener(TCPLIFE_TAP_NAME, vw, filter, TL_REQUIRES_NOTHING,
                                           view_reset, view_packet, view_draw, view_finish);
    if (error) {
        fprintf(stderr, "tshark: couldn't register %s tap: %s\n", prefix, error->str);
        g_string_free(error, TRUE);
        view_finish(vw);
        exit(1);
    }
}

static void streams_init(const char *opt_arg, void *userdata _U_)
{
    view_init(VIEW_STREAMS, "tcplife,streams", opt_arg);
}

static void ladder_init(const char *opt_arg, void *userdata _U_)
{
    view_init(VIEW_LADDER, "tcplife,ladder", opt_arg);
}

void tcplife_register_stream_views(void)
{
    static tap_param filter_param[] = { { PARAM_FILTER, "filter", "Filter", NULL, TRUE } };
    static stat_tap_ui streams_ui = {
        REGISTER_STAT_GROUP_GENERIC, "TCP Connection Lifecycle streams", "tcplife,streams",
        streams_init, G_N_ELEMENTS(filter_param), filter_param
    };
    static stat_tap_ui ladder_ui = {
        REGISTER_STAT_GROUP_GENERIC, "TCP Connection Lifecycle ladders", "tcplife,ladder",
        ladder_init, G_N_ELEMENTS(filter_param), filter_param
    };
    register_stat_tap_ui(&streams_ui, NULL);
    register_stat_tap_ui(&ladder_ui, NULL);
}

/* ---- GUI: TCP Connection Lifecycle > Ladder of the selected stream (menu bar) ---- */

static void *selected_frame(frame_data *fd, void *user_data _U_)
{
    return GUINT_TO_POINTER(fd->num);
}

static void show_selected_ladder(ext_menubar_gui_type gui_type _U_, gpointer gui_data _U_, gpointer user_data _U_)
{
    const funnel_ops_t *ops = funnel_get_funnel_ops();
    if (!ops || !ops->new_text_window)
        return;
    guint32 frame = GPOINTER_TO_UINT(plugin_if_get_frame_data(selected_frame, NULL));
    const conn_rec *rec = conn_store_of_frame(frame);
    GString *text = g_string_new(NULL);
    if (rec)
        ladder_text(text, rec, LADDER_UTF8);
    else
        g_string_append(text, "Select a TCP packet first: the selected packet is not part of an analysed connection.\n");
    funnel_text_window_t *win = ops->new_text_window(ops->ops_id, "TCP Connection Lifecycle: ladder");
    ops->set_text(win, text->str);
    g_string_free(text, TRUE);
}

void tcplife_register_ladder_menu(int proto)
{
    ext_menu_t *menu = ext_menubar_register_menu(proto, "TCP Connection Lifecycle", TRUE);
    ext_menubar_add_entry(menu, "Ladder of the selected stream",
                          "Shows the connection ladder of the selected packet's TCP stream",
                          show_selected_ladder, NULL);
}
